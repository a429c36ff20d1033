//! API Gateway v2: WebSocket and HTTP APIs.

use crate::expr::{Any, Arn, List, Map, Number, Tf};

crate::resource! {
    /// A WebSocket or HTTP API.
    pub struct Apigatewayv2Api("aws_apigatewayv2_api", provider = super::PROVIDER, taggable = true) -> Apigatewayv2ApiRef {
        required {
            name: String,
            /// `WEBSOCKET` or `HTTP`.
            protocol_type: String,
        }
        optional {
            description: String,
            /// WebSocket: how a message picks its route (`$request.body.action`).
            route_selection_expression: String,
            api_key_selection_expression: String,
            disable_execute_api_endpoint: bool,
            /// `ipv4` or `dualstack`.
            ip_address_type: String,
            /// HTTP quick create: the route key of the default route.
            route_key: String,
            /// HTTP quick create: the integration target.
            target: String,
            credentials_arn: Arn,
            body: String,
            fail_on_warnings: bool,
            version: String,
            region: String,
            tags: Map<String>,
        }
        blocks {
            cors_configuration: Apigatewayv2ApiCorsConfiguration,
        }
        attributes {
            id: String,
            arn: Arn,
            name: String,
            api_endpoint: String,
            /// The prefix of the ARNs of the API's routes, for permissions.
            execution_arn: Arn,
        }
    }
}

crate::nested_block! {
    pub struct Apigatewayv2ApiCorsConfiguration {
        optional {
            allow_credentials: bool,
            allow_headers: List<String>,
            allow_methods: List<String>,
            allow_origins: List<String>,
            expose_headers: List<String>,
            max_age: Number,
        }
    }
}

crate::resource! {
    /// A stage: a deployment of an API under a name (`prod`).
    pub struct Apigatewayv2Stage("aws_apigatewayv2_stage", provider = super::PROVIDER, taggable = true) -> Apigatewayv2StageRef {
        required {
            api_id: String,
            name: String,
        }
        optional {
            auto_deploy: bool,
            description: String,
            deployment_id: String,
            client_certificate_id: String,
            stage_variables: Map<String>,
            region: String,
            tags: Map<String>,
        }
        blocks {
            access_log_settings: Apigatewayv2StageAccessLogSettings,
            default_route_settings: Apigatewayv2StageDefaultRouteSettings,
        }
        repeated {
            route_settings: Apigatewayv2StageRouteSettings,
        }
        attributes {
            id: String,
            arn: Arn,
            name: String,
            /// `arn:aws:execute-api:<region>:<account>:<api id>/<stage>`.
            execution_arn: Arn,
            invoke_url: String,
        }
    }
}

crate::nested_block! {
    pub struct Apigatewayv2StageAccessLogSettings {
        required {
            /// The log group's ARN.
            destination_arn: Arn,
            /// The line format, with `$context` variables.
            format: String,
        }
    }
}

crate::nested_block! {
    /// Settings of every route. Execution logs (`logging_level`,
    /// `data_trace_enabled`) exist for WebSocket APIs only: HTTP APIs refuse
    /// them.
    pub struct Apigatewayv2StageDefaultRouteSettings {
        optional {
            data_trace_enabled: bool,
            detailed_metrics_enabled: bool,
            /// `ERROR`, `INFO` or `OFF` (WebSocket APIs only).
            logging_level: String,
            throttling_burst_limit: Number,
            throttling_rate_limit: Number,
        }
    }
}

crate::nested_block! {
    pub struct Apigatewayv2StageRouteSettings {
        required {
            route_key: String,
        }
        optional {
            data_trace_enabled: bool,
            detailed_metrics_enabled: bool,
            logging_level: String,
            throttling_burst_limit: Number,
            throttling_rate_limit: Number,
        }
    }
}

crate::resource! {
    /// How a route reaches its backend.
    pub struct Apigatewayv2Integration("aws_apigatewayv2_integration", provider = super::PROVIDER) -> Apigatewayv2IntegrationRef {
        required {
            api_id: String,
            /// `AWS_PROXY`, `AWS`, `HTTP_PROXY`, `HTTP` or `MOCK`.
            integration_type: String,
        }
        optional {
            /// The backend: a Lambda function or alias ARN (use
            /// `.cast()` on a `Tf<Arn>`), or a URL.
            integration_uri: String,
            integration_method: String,
            integration_subtype: String,
            connection_id: String,
            /// `INTERNET` or `VPC_LINK`.
            connection_type: String,
            /// `CONVERT_TO_BINARY` or `CONVERT_TO_TEXT` (WebSocket).
            content_handling_strategy: String,
            /// The role API Gateway assumes to call the backend.
            credentials_arn: Arn,
            description: String,
            /// `WHEN_NO_MATCH`, `WHEN_NO_TEMPLATES` or `NEVER` (WebSocket).
            passthrough_behavior: String,
            /// `1.0` or `2.0` (HTTP APIs with Lambda).
            payload_format_version: String,
            request_parameters: Map<String>,
            request_templates: Map<String>,
            template_selection_expression: String,
            timeout_milliseconds: Number,
            region: String,
        }
        blocks {
            tls_config: Apigatewayv2IntegrationTlsConfig,
        }
        attributes {
            id: String,
            integration_response_selection_expression: String,
        }
    }
}

crate::nested_block! {
    pub struct Apigatewayv2IntegrationTlsConfig {
        optional {
            server_name_to_verify: String,
        }
    }
}

impl Apigatewayv2IntegrationRef {
    /// `integrations/<id>`: what a route's `target` names.
    pub fn target(&self) -> Tf<String> {
        crate::template!["integrations/", self.id()]
    }
}

crate::resource! {
    /// A response of a WebSocket integration.
    pub struct Apigatewayv2IntegrationResponse("aws_apigatewayv2_integration_response", provider = super::PROVIDER) -> Apigatewayv2IntegrationResponseRef {
        required {
            api_id: String,
            integration_id: String,
            /// `/200/`, `$default`, ...
            integration_response_key: String,
        }
        optional {
            content_handling_strategy: String,
            response_templates: Map<String>,
            template_selection_expression: String,
            region: String,
        }
        attributes {
            id: String,
        }
    }
}

crate::resource! {
    /// A route: a route key (`$connect`, `ANY /tg`) and its target.
    pub struct Apigatewayv2Route("aws_apigatewayv2_route", provider = super::PROVIDER) -> Apigatewayv2RouteRef {
        required {
            api_id: String,
            route_key: String,
        }
        optional {
            /// `integrations/<integration id>`.
            target: String,
            api_key_required: bool,
            authorization_scopes: List<String>,
            /// `NONE`, `AWS_IAM`, `CUSTOM` or `JWT`.
            authorization_type: String,
            authorizer_id: String,
            model_selection_expression: String,
            operation_name: String,
            request_models: Map<String>,
            /// WebSocket: enables route responses (`$default`).
            route_response_selection_expression: String,
            region: String,
        }
        attributes {
            id: String,
        }
    }
}

crate::resource! {
    /// A WebSocket route's response to the client.
    pub struct Apigatewayv2RouteResponse("aws_apigatewayv2_route_response", provider = super::PROVIDER) -> Apigatewayv2RouteResponseRef {
        required {
            api_id: String,
            route_id: String,
            route_response_key: String,
        }
        optional {
            model_selection_expression: String,
            response_models: Map<String>,
            region: String,
        }
        attributes {
            id: String,
        }
    }
}

crate::resource! {
    /// A custom domain name for APIs.
    pub struct Apigatewayv2DomainName("aws_apigatewayv2_domain_name", provider = super::PROVIDER, taggable = true) -> Apigatewayv2DomainNameRef {
        required {
            domain_name: String,
        }
        required_blocks {
            domain_name_configuration: Apigatewayv2DomainNameDomainNameConfiguration,
        }
        optional {
            region: String,
            tags: Map<String>,
        }
        blocks {
            mutual_tls_authentication: Apigatewayv2DomainNameMutualTlsAuthentication,
        }
        attributes {
            id: String,
            arn: Arn,
            domain_name: String,
            api_mapping_selection_expression: String,
            domain_name_configuration: List<Any>,
        }
    }
}

impl Apigatewayv2DomainNameRef {
    /// The host name to point a CNAME record at.
    pub fn target_domain_name(&self) -> Tf<String> {
        self.domain_name_configuration()
            .at(0)
            .get("target_domain_name")
    }

    /// The Route 53 zone of the target (for alias records).
    pub fn hosted_zone_id(&self) -> Tf<String> {
        self.domain_name_configuration().at(0).get("hosted_zone_id")
    }
}

crate::nested_block! {
    pub struct Apigatewayv2DomainNameDomainNameConfiguration {
        required {
            certificate_arn: Arn,
            /// `REGIONAL` (the only type API Gateway v2 supports).
            endpoint_type: String,
            /// `TLS_1_2`.
            security_policy: String,
        }
        optional {
            ip_address_type: String,
            ownership_verification_certificate_arn: Arn,
        }
    }
}

crate::nested_block! {
    pub struct Apigatewayv2DomainNameMutualTlsAuthentication {
        required {
            truststore_uri: String,
        }
        optional {
            truststore_version: String,
        }
    }
}

crate::resource! {
    /// Maps a stage of an API under a path of a custom domain.
    pub struct Apigatewayv2ApiMapping("aws_apigatewayv2_api_mapping", provider = super::PROVIDER) -> Apigatewayv2ApiMappingRef {
        required {
            api_id: String,
            domain_name: String,
            /// The stage's name: a reference to the stage, so that the
            /// mapping is created after it.
            stage: String,
        }
        optional {
            api_mapping_key: String,
            region: String,
        }
        attributes {
            id: String,
            domain_name: String,
        }
    }
}
