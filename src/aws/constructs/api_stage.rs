//! What WebSocket and HTTP API stages share: access logs, custom domains
//! and their mappings.

use crate::construct::Scope;
use crate::expr::Tf;
use crate::stack::Stack;

use super::super::apigatewayv2::{
    Apigatewayv2ApiMapping, Apigatewayv2ApiMappingArgs, Apigatewayv2ApiMappingRef,
    Apigatewayv2ApiRef, Apigatewayv2DomainName, Apigatewayv2DomainNameArgs,
    Apigatewayv2DomainNameDomainNameConfiguration,
    Apigatewayv2DomainNameDomainNameConfigurationArgs, Apigatewayv2DomainNameRef,
    Apigatewayv2StageAccessLogSettings, Apigatewayv2StageAccessLogSettingsArgs,
    Apigatewayv2StageDefaultRouteSettings, Apigatewayv2StageRef,
};
use super::super::cloudwatch::{CloudwatchLogGroup, CloudwatchLogGroupRef};
use super::Certificate;

/// The log group `/aws/apigateway/<api name>/<stage>/access-logs` at
/// `scope/access-logs`.
pub(super) fn access_logs(
    stack: &mut Stack,
    scope: &Scope,
    api: &Apigatewayv2ApiRef,
    stage: &str,
    retention_days: u32,
) -> CloudwatchLogGroupRef {
    let name: Tf<String> =
        crate::template!["/aws/apigateway/", api.name(), "/", stage, "/access-logs"];
    stack.add(
        scope,
        "access-logs",
        CloudwatchLogGroup::new()
            .name(name)
            .retention_in_days(retention_days),
    )
}

/// A stage's access logs: JSON lines of `format` into `logs`.
pub(super) fn access_log_settings(
    logs: &CloudwatchLogGroupRef,
    format: &str,
) -> Apigatewayv2StageAccessLogSettings {
    Apigatewayv2StageAccessLogSettings::new(Apigatewayv2StageAccessLogSettingsArgs {
        destination_arn: logs.arn(),
        format: format.into(),
    })
}

/// A regional custom domain with TLS 1.2, at `scope/domain-name`, used once
/// the certificate is validated.
pub(super) fn regional_domain(
    stack: &mut Stack,
    scope: &Scope,
    domain: &str,
    certificate: &dyn Certificate,
) -> Apigatewayv2DomainNameRef {
    let name = stack.add(
        scope,
        "domain-name",
        Apigatewayv2DomainName::new(Apigatewayv2DomainNameArgs {
            domain_name: domain.into(),
            domain_name_configuration: Apigatewayv2DomainNameDomainNameConfiguration::new(
                Apigatewayv2DomainNameDomainNameConfigurationArgs {
                    certificate_arn: certificate.arn(),
                    endpoint_type: "REGIONAL".into(),
                    security_policy: "TLS_1_2".into(),
                },
            ),
        }),
    );
    if let Some(ready) = certificate.ready() {
        stack.block(&name).depends_on(&ready);
    }
    name
}

/// An API mapping of `stage` under its own name, at `scope/<id>`. The stage
/// is referenced, not named, so Terraform creates the mapping after it.
pub(super) fn map_stage(
    stack: &mut Stack,
    scope: &Scope,
    id: &str,
    api: &Apigatewayv2ApiRef,
    stage: &Apigatewayv2StageRef,
    stage_name: &str,
    domain: &Apigatewayv2DomainNameRef,
) -> Apigatewayv2ApiMappingRef {
    stack.add(
        scope,
        id,
        Apigatewayv2ApiMapping::new(Apigatewayv2ApiMappingArgs {
            api_id: api.id(),
            domain_name: domain.domain_name(),
            stage: stage.name(),
        })
        .api_mapping_key(stage_name),
    )
}

/// Route settings with the throttling limits that are set.
pub(super) fn throttled(
    settings: Apigatewayv2StageDefaultRouteSettings,
    rate_limit: Option<u32>,
    burst_limit: Option<u32>,
) -> Apigatewayv2StageDefaultRouteSettings {
    let settings = match rate_limit {
        Some(rate) => settings.throttling_rate_limit(rate),
        None => settings,
    };
    match burst_limit {
        Some(burst) => settings.throttling_burst_limit(burst),
        None => settings,
    }
}
