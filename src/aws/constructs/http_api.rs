//! An HTTP API with stages, Lambda routes and custom domains.

use crate::construct::Scope;
use crate::expr::Tf;
use crate::output::Output;
use crate::stack::Stack;

use super::super::apigatewayv2::{
    Apigatewayv2Api, Apigatewayv2ApiArgs, Apigatewayv2ApiMappingRef, Apigatewayv2ApiRef,
    Apigatewayv2DomainNameRef, Apigatewayv2Integration, Apigatewayv2IntegrationArgs,
    Apigatewayv2Route, Apigatewayv2RouteArgs, Apigatewayv2RouteRef, Apigatewayv2Stage,
    Apigatewayv2StageArgs, Apigatewayv2StageDefaultRouteSettings, Apigatewayv2StageRef,
};
use super::super::cloudwatch::CloudwatchLogGroupRef;
use super::api_stage::{access_log_settings, access_logs, map_stage, regional_domain, throttled};
use super::{Certificate, Function};

/// One JSON object per request in the access log.
pub const ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","path":"$context.path","routeKey":"$context.routeKey","status":"$context.status","responseLatency":"$context.responseLatency","integrationRequestId":"$context.integration.requestId","functionResponseStatus":"$context.integration.status","integrationLatency":"$context.integration.latency","integrationServiceStatus":"$context.integration.integrationStatus","ip":"$context.identity.sourceIp","userAgent":"$context.identity.userAgent","principalId":"$context.authorizer.principalId"}"#;

/// How an HTTP stage throttles. HTTP APIs have no execution logs (API
/// Gateway refuses `logging_level` and `data_trace_enabled` for them), so
/// there is no setting for them here.
///
/// The default: the account's throttling, no detailed metrics, logs kept 7
/// days.
#[derive(Clone, Debug)]
pub struct HttpStageSettings {
    /// Requests per second, steady state (default: the account's limit).
    pub throttling_rate_limit: Option<u32>,
    /// Requests at once (default: the account's limit).
    pub throttling_burst_limit: Option<u32>,
    pub detailed_metrics_enabled: bool,
    /// Days the access logs are kept.
    pub log_retention_days: u32,
}

impl Default for HttpStageSettings {
    fn default() -> Self {
        HttpStageSettings {
            throttling_rate_limit: None,
            throttling_burst_limit: None,
            detailed_metrics_enabled: false,
            log_retention_days: 7,
        }
    }
}

/// An HTTP API at `scope/<id>`, the API itself at `<id>/api`.
#[derive(Clone, Debug)]
pub struct HttpApi {
    scope: Scope,
    api: Apigatewayv2ApiRef,
}

impl HttpApi {
    /// An API named `<id>`.
    pub fn new(stack: &mut Stack, scope: &Scope, id: &str) -> Self {
        Self::named(stack, scope, id, id)
    }

    /// An API with its own name.
    pub fn named(stack: &mut Stack, scope: &Scope, id: &str, name: impl Into<Tf<String>>) -> Self {
        let scope = scope.child(id);
        let api = stack.add(
            &scope,
            "api",
            Apigatewayv2Api::new(Apigatewayv2ApiArgs {
                name: name.into(),
                protocol_type: "HTTP".into(),
            }),
        );
        HttpApi { scope, api }
    }

    pub fn api(&self) -> &Apigatewayv2ApiRef {
        &self.api
    }

    /// The stage `name` at `<id>/<name>-stage`: `stage`, `access-logs` and
    /// the output `url`.
    pub fn stage(&self, stack: &mut Stack, name: &str, settings: &HttpStageSettings) -> HttpStage {
        let scope = self.scope.child(&format!("{name}-stage"));
        let access_logs = access_logs(stack, &scope, &self.api, name, settings.log_retention_days);
        let stage = stack.add(
            &scope,
            "stage",
            Apigatewayv2Stage::new(Apigatewayv2StageArgs {
                api_id: self.api.id(),
                name: name.into(),
            })
            .auto_deploy(true)
            .access_log_settings(access_log_settings(&access_logs, ACCESS_LOG_FORMAT))
            .default_route_settings(throttled(
                Apigatewayv2StageDefaultRouteSettings::new()
                    .detailed_metrics_enabled(settings.detailed_metrics_enabled),
                settings.throttling_rate_limit,
                settings.throttling_burst_limit,
            )),
        );
        stack.output(&scope, "url", Output::new(stage.invoke_url()));
        HttpStage {
            scope,
            api: self.api.clone(),
            stage,
            name: name.to_owned(),
            access_logs,
        }
    }

    /// A regional custom domain at `<id>/domain-name`.
    pub fn custom_domain(
        &self,
        stack: &mut Stack,
        domain: &str,
        certificate: &dyn Certificate,
    ) -> Apigatewayv2DomainNameRef {
        regional_domain(stack, &self.scope, domain, certificate)
    }
}

/// A stage of an [`HttpApi`].
#[derive(Clone, Debug)]
pub struct HttpStage {
    scope: Scope,
    api: Apigatewayv2ApiRef,
    stage: Apigatewayv2StageRef,
    name: String,
    access_logs: CloudwatchLogGroupRef,
}

impl HttpStage {
    pub fn stage(&self) -> &Apigatewayv2StageRef {
        &self.stage
    }

    pub fn access_logs(&self) -> &CloudwatchLogGroupRef {
        &self.access_logs
    }

    /// The route `route_key` (`ANY /tg`) to `function`'s alias
    /// (AWS_PROXY, payload 2.0), at `<stage>/<route key>/lambda-integration`
    /// and `.../route`, and the permission for API Gateway to invoke it.
    pub fn lambda_route(
        &self,
        stack: &mut Stack,
        route_key: &str,
        function: &Function,
    ) -> Apigatewayv2RouteRef {
        let scope = self.scope.child(route_key);
        let integration = stack.add(
            &scope,
            "lambda-integration",
            Apigatewayv2Integration::new(Apigatewayv2IntegrationArgs {
                api_id: self.api.id(),
                integration_type: "AWS_PROXY".into(),
            })
            .integration_uri(function.alias().arn().cast())
            .payload_format_version("2.0"),
        );
        let route = stack.add(
            &scope,
            "route",
            Apigatewayv2Route::new(Apigatewayv2RouteArgs {
                api_id: self.api.id(),
                route_key: route_key.into(),
            })
            .target(integration.target()),
        );
        function.allow_invocation(
            stack,
            "apigateway.amazonaws.com",
            crate::template![self.api.execution_arn(), "/*/*"],
        );
        route
    }

    /// Maps this stage under `/<stage>` of a custom domain
    /// (`<stage>/name-mapping`), with the output `mapped-url`
    /// (`https://<domain>/<stage>`).
    pub fn map_domain(
        &self,
        stack: &mut Stack,
        domain: &Apigatewayv2DomainNameRef,
    ) -> Apigatewayv2ApiMappingRef {
        let mapping = map_stage(
            stack,
            &self.scope,
            "name-mapping",
            &self.api,
            &self.stage,
            &self.name,
            domain,
        );
        let url = crate::template!["https://", mapping.domain_name(), "/", self.name.as_str()]
            as Tf<String>;
        stack.output(&self.scope, "mapped-url", Output::new(url));
        mapping
    }
}
