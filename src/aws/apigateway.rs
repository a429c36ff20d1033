//! API Gateway account settings (shared by REST and v2 APIs).

use crate::expr::Arn;

crate::resource! {
    /// The region's API Gateway settings: the role API Gateway uses to write
    /// CloudWatch logs. One per account and region.
    pub struct ApiGatewayAccount("aws_api_gateway_account", provider = super::PROVIDER) -> ApiGatewayAccountRef {
        optional {
            cloudwatch_role_arn: Arn,
            region: String,
        }
        attributes {
            id: String,
            cloudwatch_role_arn: Arn,
        }
    }
}
