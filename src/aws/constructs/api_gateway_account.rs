//! The account-wide role API Gateway writes CloudWatch logs with.

use crate::construct::Scope;
use crate::stack::Stack;

use super::super::apigateway::{ApiGatewayAccount, ApiGatewayAccountRef};
use super::super::cloudwatch::{CloudwatchLogGroup, CloudwatchLogGroupRef};
use super::Role;

/// At `scope/<id>`: the role `api-gateway-execution-role` (assumed by API
/// Gateway, with `AmazonAPIGatewayPushToCloudWatchLogs`), registered as the
/// region's CloudWatch role (`account`), and the log group
/// `/aws/apigateway/welcome` that API Gateway writes when logging starts
/// (`welcome-logs`, kept one day).
#[derive(Clone, Debug)]
pub struct ApiGatewayAccountRole {
    role: Role,
    account: ApiGatewayAccountRef,
    welcome_logs: CloudwatchLogGroupRef,
}

impl ApiGatewayAccountRole {
    pub fn new(stack: &mut Stack, scope: &Scope, id: &str) -> Self {
        let scope = scope.child(id);
        let role = Role::for_service(
            stack,
            &scope,
            "api-gateway-execution-role",
            "apigateway.amazonaws.com",
        );
        role.attach_managed_policy(stack, "service-role/AmazonAPIGatewayPushToCloudWatchLogs");
        let account = stack.add(
            &scope,
            "account",
            ApiGatewayAccount::new().cloudwatch_role_arn(role.arn()),
        );
        let welcome_logs = stack.add(
            &scope,
            "welcome-logs",
            CloudwatchLogGroup::new()
                .name("/aws/apigateway/welcome")
                .retention_in_days(1),
        );
        ApiGatewayAccountRole {
            role,
            account,
            welcome_logs,
        }
    }

    /// The role API Gateway assumes; integrations can use it as credentials.
    pub fn role(&self) -> &Role {
        &self.role
    }

    pub fn account(&self) -> &ApiGatewayAccountRef {
        &self.account
    }

    pub fn welcome_logs(&self) -> &CloudwatchLogGroupRef {
        &self.welcome_logs
    }
}
