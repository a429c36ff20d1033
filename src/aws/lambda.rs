//! Lambda.

use crate::expr::{Arn, List, Map, Number};

crate::resource! {
    /// A Lambda function.
    pub struct LambdaFunction("aws_lambda_function", provider = super::PROVIDER, taggable = true) -> LambdaFunctionRef {
        required {
            function_name: String,
            /// The execution role's ARN.
            role: Arn,
        }
        optional {
            /// `x86_64` or `arm64`.
            architectures: List<String>,
            description: String,
            /// A local package (`Asset::path`).
            filename: String,
            /// The package's base64 SHA-256 (`Asset::base64_sha256`,
            /// `filebase64sha256`): what AWS reports, so plans settle.
            source_code_hash: String,
            s3_bucket: String,
            s3_key: String,
            s3_object_version: String,
            image_uri: String,
            /// `Zip` or `Image`.
            package_type: String,
            handler: String,
            runtime: String,
            /// MB, 128 to 10240.
            memory_size: Number,
            /// Seconds, up to 900.
            timeout: Number,
            layers: List<Arn>,
            publish: bool,
            reserved_concurrent_executions: Number,
            kms_key_arn: Arn,
            code_signing_config_arn: Arn,
            skip_destroy: bool,
            region: String,
            tags: Map<String>,
        }
        blocks {
            environment: LambdaFunctionEnvironment,
            logging_config: LambdaFunctionLoggingConfig,
            tracing_config: LambdaFunctionTracingConfig,
            dead_letter_config: LambdaFunctionDeadLetterConfig,
            ephemeral_storage: LambdaFunctionEphemeralStorage,
            snap_start: LambdaFunctionSnapStart,
            vpc_config: LambdaFunctionVpcConfig,
        }
        attributes {
            arn: Arn,
            function_name: String,
            id: String,
            invoke_arn: Arn,
            qualified_arn: Arn,
            qualified_invoke_arn: Arn,
            version: String,
            code_sha256: String,
            last_modified: String,
        }
    }
}

crate::nested_block! {
    pub struct LambdaFunctionEnvironment {
        optional {
            variables: Map<String>,
        }
    }
}

crate::nested_block! {
    /// Where and how the function logs.
    pub struct LambdaFunctionLoggingConfig {
        required {
            /// `Text` or `JSON`.
            log_format: String,
        }
        optional {
            /// The log group's name.
            log_group: String,
            /// With JSON logs: `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`.
            application_log_level: String,
            /// With JSON logs: `DEBUG`, `INFO`, `WARN`.
            system_log_level: String,
        }
    }
}

crate::nested_block! {
    pub struct LambdaFunctionTracingConfig {
        required {
            /// `PassThrough` or `Active`.
            mode: String,
        }
    }
}

crate::nested_block! {
    pub struct LambdaFunctionDeadLetterConfig {
        required {
            target_arn: Arn,
        }
    }
}

crate::nested_block! {
    pub struct LambdaFunctionEphemeralStorage {
        optional {
            /// MB, 512 to 10240.
            size: Number,
        }
    }
}

crate::nested_block! {
    pub struct LambdaFunctionSnapStart {
        required {
            /// `PublishedVersions`.
            apply_on: String,
        }
    }
}

crate::nested_block! {
    pub struct LambdaFunctionVpcConfig {
        required {
            security_group_ids: List<String>,
            subnet_ids: List<String>,
        }
        optional {
            ipv6_allowed_for_dual_stack: bool,
        }
    }
}

crate::resource! {
    /// A name that points to a version of a function.
    pub struct LambdaAlias("aws_lambda_alias", provider = super::PROVIDER) -> LambdaAliasRef {
        required {
            name: String,
            /// The function's name or ARN.
            function_name: String,
            function_version: String,
        }
        optional {
            description: String,
            region: String,
        }
        blocks {
            routing_config: LambdaAliasRoutingConfig,
        }
        attributes {
            arn: Arn,
            id: String,
            invoke_arn: Arn,
            name: String,
        }
    }
}

crate::nested_block! {
    /// Shifts a share of the traffic to other versions.
    pub struct LambdaAliasRoutingConfig {
        optional {
            additional_version_weights: Map<Number>,
        }
    }
}

crate::resource! {
    /// Lets a principal (a service, an account) invoke a function.
    pub struct LambdaPermission("aws_lambda_permission", provider = super::PROVIDER) -> LambdaPermissionRef {
        required {
            /// `lambda:InvokeFunction`, usually.
            action: String,
            /// The function's name or ARN.
            function_name: String,
            /// `apigateway.amazonaws.com`, an account id, ...
            principal: String,
        }
        optional {
            /// An alias name or version.
            qualifier: String,
            source_arn: Arn,
            source_account: String,
            statement_id: String,
            statement_id_prefix: String,
            event_source_token: String,
            principal_org_id: String,
            function_url_auth_type: String,
            region: String,
        }
        attributes {
            id: String,
            statement_id: String,
        }
    }
}

crate::resource! {
    /// Invokes a function when the stack is applied.
    pub struct LambdaInvocation("aws_lambda_invocation", provider = super::PROVIDER) -> LambdaInvocationRef {
        required {
            function_name: String,
            /// The event, as JSON text.
            input: String,
        }
        optional {
            /// `CREATE_ONLY` (default) or `CRUD`: invoke on update and destroy too.
            lifecycle_scope: String,
            qualifier: String,
            terraform_key: String,
            triggers: Map<String>,
            region: String,
        }
        attributes {
            id: String,
            result: String,
        }
    }
}

crate::resource! {
    /// An HTTPS endpoint of a function.
    pub struct LambdaFunctionUrl("aws_lambda_function_url", provider = super::PROVIDER) -> LambdaFunctionUrlRef {
        required {
            function_name: String,
            /// `NONE` or `AWS_IAM`.
            authorization_type: String,
        }
        optional {
            qualifier: String,
            /// `BUFFERED` or `RESPONSE_STREAM`.
            invoke_mode: String,
            region: String,
        }
        attributes {
            function_arn: Arn,
            function_url: String,
            url_id: String,
        }
    }
}
