//! A WebSocket API with stages, Lambda and mock routes, and custom domains.

use crate::construct::Scope;
use crate::expr::{Arn, Tf};
use crate::output::Output;
use crate::stack::Stack;

use super::super::apigatewayv2::{
    Apigatewayv2Api, Apigatewayv2ApiArgs, Apigatewayv2ApiMappingRef, Apigatewayv2ApiRef,
    Apigatewayv2DomainNameRef, Apigatewayv2Integration, Apigatewayv2IntegrationArgs,
    Apigatewayv2IntegrationRef, Apigatewayv2IntegrationResponse,
    Apigatewayv2IntegrationResponseArgs, Apigatewayv2Route, Apigatewayv2RouteArgs,
    Apigatewayv2RouteRef, Apigatewayv2RouteResponse, Apigatewayv2RouteResponseArgs,
    Apigatewayv2Stage, Apigatewayv2StageArgs, Apigatewayv2StageDefaultRouteSettings,
    Apigatewayv2StageRef,
};
use super::super::cloudwatch::{CloudwatchLogGroup, CloudwatchLogGroupRef};
use super::api_stage::{access_log_settings, access_logs, map_stage, regional_domain, throttled};
use super::{Certificate, Function, Role};

/// One JSON object per connection event in the access log.
pub const ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","requestTime":"$context.requestTime","eventType":"$context.eventType","routeKey":"$context.routeKey","status":"$context.status","connectionId":"$context.connectionId","responseLatency":"$context.responseLatency","integrationRequestId":"$context.integration.requestId","functionResponseStatus":"$context.integration.status","integrationLatency":"$context.integration.latency","integrationServiceStatus":"$context.integration.integrationStatus","ip":"$context.identity.sourceIp","userAgent":"$context.identity.userAgent","principalId":"$context.authorizer.principalId"}"#;

/// How a WebSocket stage throttles and logs.
///
/// The default: the account's throttling, execution logs of errors only,
/// no full-message logging, logs kept 7 days.
#[derive(Clone, Debug)]
pub struct WebSocketStageSettings {
    /// Requests per second, steady state (default: the account's limit).
    pub throttling_rate_limit: Option<u32>,
    /// Requests at once (default: the account's limit).
    pub throttling_burst_limit: Option<u32>,
    /// Execution logs: `ERROR`, `INFO` or `OFF`.
    pub logging_level: String,
    /// Log full requests and responses in the execution logs: message
    /// bodies, which may hold personal data.
    pub data_trace_enabled: bool,
    pub detailed_metrics_enabled: bool,
    /// Days the access and execution logs are kept.
    pub log_retention_days: u32,
}

impl Default for WebSocketStageSettings {
    fn default() -> Self {
        WebSocketStageSettings {
            throttling_rate_limit: None,
            throttling_burst_limit: None,
            logging_level: "ERROR".into(),
            data_trace_enabled: false,
            detailed_metrics_enabled: false,
            log_retention_days: 7,
        }
    }
}

/// A WebSocket API at `scope/<id>`, the API itself at `<id>/<id>`.
#[derive(Clone, Debug)]
pub struct WebSocketApi {
    scope: Scope,
    api: Apigatewayv2ApiRef,
}

impl WebSocketApi {
    /// An API named `<id>` whose messages pick their route with
    /// `route_selection_expression` (`$request.body.action`).
    pub fn new(
        stack: &mut Stack,
        scope: &Scope,
        id: &str,
        route_selection_expression: &str,
    ) -> Self {
        Self::named(stack, scope, id, id, route_selection_expression)
    }

    /// An API with its own name.
    pub fn named(
        stack: &mut Stack,
        scope: &Scope,
        id: &str,
        name: impl Into<Tf<String>>,
        route_selection_expression: &str,
    ) -> Self {
        let scope = scope.child(id);
        let api = stack.add(
            &scope,
            id,
            Apigatewayv2Api::new(Apigatewayv2ApiArgs {
                name: name.into(),
                protocol_type: "WEBSOCKET".into(),
            })
            .route_selection_expression(route_selection_expression),
        );
        WebSocketApi { scope, api }
    }

    pub fn api(&self) -> &Apigatewayv2ApiRef {
        &self.api
    }

    /// The stage `name` at `<id>/<name>-stage`: `stage`, `access-logs`,
    /// `execution-logs` (the group API Gateway writes execution logs to) and
    /// the output `url`.
    pub fn stage(
        &self,
        stack: &mut Stack,
        name: &str,
        settings: &WebSocketStageSettings,
    ) -> WebSocketStage {
        let scope = self.scope.child(&format!("{name}-stage"));
        let access_logs = access_logs(stack, &scope, &self.api, name, settings.log_retention_days);
        let execution_logs = stack.add(
            &scope,
            "execution-logs",
            CloudwatchLogGroup::new()
                .name(crate::template!["/aws/apigateway/", self.api.id(), "/", name] as Tf<String>)
                .retention_in_days(settings.log_retention_days),
        );
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
                    .data_trace_enabled(settings.data_trace_enabled)
                    .detailed_metrics_enabled(settings.detailed_metrics_enabled)
                    .logging_level(settings.logging_level.as_str()),
                settings.throttling_rate_limit,
                settings.throttling_burst_limit,
            )),
        );
        stack.output(&scope, "url", Output::new(stage.invoke_url()));
        WebSocketStage {
            scope,
            api: self.api.clone(),
            stage,
            name: name.to_owned(),
            access_logs,
            execution_logs,
        }
    }

    /// A regional custom domain at `<id>/domain-name`, used once the
    /// certificate is validated.
    pub fn custom_domain(
        &self,
        stack: &mut Stack,
        domain: &str,
        certificate: &dyn Certificate,
    ) -> Apigatewayv2DomainNameRef {
        regional_domain(stack, &self.scope, domain, certificate)
    }
}

/// A stage of a [`WebSocketApi`].
#[derive(Clone, Debug)]
pub struct WebSocketStage {
    scope: Scope,
    api: Apigatewayv2ApiRef,
    stage: Apigatewayv2StageRef,
    name: String,
    access_logs: CloudwatchLogGroupRef,
    execution_logs: CloudwatchLogGroupRef,
}

/// `$connect` → `connect`, `PING` → `ping`: the construct id of a route.
fn route_id(route_key: &str) -> String {
    let id: String = route_key
        .trim_start_matches('$')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    id.trim_matches('-').to_owned()
}

impl WebSocketStage {
    pub fn stage(&self) -> &Apigatewayv2StageRef {
        &self.stage
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn access_logs(&self) -> &CloudwatchLogGroupRef {
        &self.access_logs
    }

    pub fn execution_logs(&self) -> &CloudwatchLogGroupRef {
        &self.execution_logs
    }

    /// `arn:aws:execute-api:<region>:<account>:<api id>/<stage>`.
    pub fn execution_arn(&self) -> Tf<Arn> {
        self.stage.execution_arn()
    }

    /// What a backend may call to post to connected clients:
    /// `<stage execution ARN>/*/@connections/*`.
    pub fn connections_arn(&self) -> Tf<Arn> {
        crate::template![self.stage.execution_arn(), "/*/@connections/*"]
    }

    /// An AWS_PROXY integration with `function`'s alias at
    /// `<stage>/<id>-integration`, called with `credentials` (a role API
    /// Gateway assumes, allowed to invoke the alias), and its response
    /// `<id>-integration-response`.
    pub fn lambda_integration(
        &self,
        stack: &mut Stack,
        id: &str,
        function: &Function,
        credentials: &Role,
    ) -> Apigatewayv2IntegrationRef {
        let integration = stack.add(
            &self.scope,
            &format!("{id}-integration"),
            Apigatewayv2Integration::new(Apigatewayv2IntegrationArgs {
                api_id: self.api.id(),
                integration_type: "AWS_PROXY".into(),
            })
            .integration_uri(function.alias().arn().cast())
            .credentials_arn(credentials.arn())
            .content_handling_strategy("CONVERT_TO_TEXT")
            .passthrough_behavior("WHEN_NO_MATCH"),
        );
        stack.add(
            &self.scope,
            &format!("{id}-integration-response"),
            Apigatewayv2IntegrationResponse::new(Apigatewayv2IntegrationResponseArgs {
                api_id: self.api.id(),
                integration_id: integration.id(),
                integration_response_key: "/200/".into(),
            }),
        );
        integration
    }

    /// The route `route_key` (`$connect`) to `integration` at
    /// `<stage>/<route>-route`, with a `$default` route response at
    /// `<route>-route-response` so the client gets the backend's answer.
    pub fn route(
        &self,
        stack: &mut Stack,
        route_key: &str,
        integration: &Apigatewayv2IntegrationRef,
    ) -> Apigatewayv2RouteRef {
        let id = route_id(route_key);
        let route = stack.add(
            &self.scope,
            &format!("{id}-route"),
            Apigatewayv2Route::new(Apigatewayv2RouteArgs {
                api_id: self.api.id(),
                route_key: route_key.into(),
            })
            .target(integration.target()),
        );
        self.route_response(stack, &id, &route);
        route
    }

    /// The route `route_key` answered by API Gateway itself with the
    /// constant `response` (a MOCK integration), as a ping: `PING` →
    /// `["PONG"]`.
    pub fn mock_route(
        &self,
        stack: &mut Stack,
        route_key: &str,
        response: &str,
    ) -> Apigatewayv2RouteRef {
        let id = route_id(route_key);
        let integration = stack.add(
            &self.scope,
            &format!("{id}-integration"),
            Apigatewayv2Integration::new(Apigatewayv2IntegrationArgs {
                api_id: self.api.id(),
                integration_type: "MOCK".into(),
            })
            .request_templates([("200", r#"{"statusCode":200}"#)])
            .template_selection_expression("200"),
        );
        stack.add(
            &self.scope,
            &format!("{id}-integration-response"),
            Apigatewayv2IntegrationResponse::new(Apigatewayv2IntegrationResponseArgs {
                api_id: self.api.id(),
                integration_id: integration.id(),
                integration_response_key: "/200/".into(),
            })
            .response_templates([("200", response)])
            .template_selection_expression("200"),
        );
        let route = stack.add(
            &self.scope,
            &format!("{id}-route"),
            Apigatewayv2Route::new(Apigatewayv2RouteArgs {
                api_id: self.api.id(),
                route_key: route_key.into(),
            })
            .route_response_selection_expression("$default")
            .target(integration.target()),
        );
        self.route_response(stack, &id, &route);
        route
    }

    fn route_response(&self, stack: &mut Stack, id: &str, route: &Apigatewayv2RouteRef) {
        stack.add(
            &self.scope,
            &format!("{id}-route-response"),
            Apigatewayv2RouteResponse::new(Apigatewayv2RouteResponseArgs {
                api_id: self.api.id(),
                route_id: route.id(),
                route_response_key: "$default".into(),
            }),
        );
    }

    /// Maps this stage under `/<stage>` of a custom domain
    /// (`<stage>/domain-mapping`), with the output `mapped-url`
    /// (`wss://<domain>/<stage>`).
    pub fn map_domain(
        &self,
        stack: &mut Stack,
        domain: &Apigatewayv2DomainNameRef,
    ) -> Apigatewayv2ApiMappingRef {
        let mapping = map_stage(
            stack,
            &self.scope,
            "domain-mapping",
            &self.api,
            &self.stage,
            &self.name,
            domain,
        );
        let url = crate::template!["wss://", mapping.domain_name(), "/", self.name.as_str()]
            as Tf<String>;
        stack.output(&self.scope, "mapped-url", Output::new(url));
        mapping
    }
}

#[cfg(test)]
mod tests {
    use super::route_id;

    #[test]
    fn route_ids_come_from_route_keys() {
        assert_eq!(route_id("$connect"), "connect");
        assert_eq!(route_id("$default"), "default");
        assert_eq!(route_id("PING"), "ping");
        assert_eq!(route_id("send message"), "send-message");
    }
}
