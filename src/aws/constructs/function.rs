//! A Lambda function with its alias, log group and permissions.

use std::collections::BTreeMap;

use crate::address::Address;
use crate::body::Value;
use crate::construct::Scope;
use crate::expr::{Arn, Tf};
use crate::stack::Stack;

use super::super::cloudwatch::{CloudwatchLogGroup, CloudwatchLogGroupRef};
use super::super::iam::IamRolePolicyRef;
use super::super::lambda::{
    LambdaAlias, LambdaAliasArgs, LambdaAliasRef, LambdaFunction, LambdaFunctionArgs,
    LambdaFunctionEnvironment, LambdaFunctionLoggingConfig, LambdaFunctionLoggingConfigArgs,
    LambdaFunctionRef, LambdaInvocation, LambdaInvocationArgs, LambdaInvocationRef,
    LambdaPermission, LambdaPermissionArgs, LambdaPermissionRef,
};
use super::super::policy::Statement;
use super::{LambdaCode, Role};

/// What a [`Function`] is made of. Start from [`FunctionProps::new`] and set
/// what differs from Lambda's defaults.
pub struct FunctionProps {
    role: Tf<Arn>,
    code: LambdaCode,
    function_name: Option<Tf<String>>,
    handler: Option<Tf<String>>,
    runtime: Option<Tf<String>>,
    architectures: Vec<String>,
    memory_size: u32,
    timeout: u32,
    environment: BTreeMap<String, Tf<String>>,
    log_retention_days: u32,
    publish: bool,
    customize: Option<Box<dyn FnOnce(LambdaFunction) -> LambdaFunction>>,
}

impl FunctionProps {
    /// A function of `code` running as `role`, with Lambda's defaults (128
    /// MB, 3 s, x86_64), logs kept 7 days, and no published versions: the
    /// alias follows `$LATEST`.
    pub fn new(role: Tf<Arn>, code: LambdaCode) -> Self {
        FunctionProps {
            role,
            code,
            function_name: None,
            handler: None,
            runtime: None,
            architectures: Vec::new(),
            memory_size: 128,
            timeout: 3,
            environment: BTreeMap::new(),
            log_retention_days: 7,
            publish: false,
            customize: None,
        }
    }

    /// The function's name (default: the construct id).
    pub fn function_name(mut self, name: impl Into<Tf<String>>) -> Self {
        self.function_name = Some(name.into());
        self
    }

    /// The entry point, as the runtime names it.
    pub fn handler(mut self, handler: impl Into<Tf<String>>) -> Self {
        self.handler = Some(handler.into());
        self
    }

    /// `java17`, `python3.12`, `provided.al2023`, ...
    pub fn runtime(mut self, runtime: impl Into<Tf<String>>) -> Self {
        self.runtime = Some(runtime.into());
        self
    }

    /// `arm64` or `x86_64`.
    pub fn architecture(mut self, architecture: &str) -> Self {
        self.architectures = vec![architecture.to_owned()];
        self
    }

    /// MB, 128 to 10240.
    pub fn memory_size(mut self, megabytes: u32) -> Self {
        self.memory_size = megabytes;
        self
    }

    /// Seconds, up to 900.
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout = seconds;
        self
    }

    /// An environment variable of the function.
    pub fn env(mut self, name: &str, value: impl Into<Tf<String>>) -> Self {
        self.environment.insert(name.to_owned(), value.into());
        self
    }

    /// Days the function's logs are kept.
    pub fn log_retention_days(mut self, days: u32) -> Self {
        self.log_retention_days = days;
        self
    }

    /// Publish a version on every change and point the alias at it, so that
    /// a deployment can be rolled back by moving the alias.
    pub fn publish(mut self, publish: bool) -> Self {
        self.publish = publish;
        self
    }

    /// Sets what else the function needs (layers, VPC, tracing, reserved
    /// concurrency, ...) on its `aws_lambda_function`, typed.
    pub fn customize(
        mut self,
        customize: impl FnOnce(LambdaFunction) -> LambdaFunction + 'static,
    ) -> Self {
        self.customize = Some(Box::new(customize));
        self
    }
}

/// A function at `scope/<id>`: `fn` (the function), `alias` (`<name>-alias`,
/// what integrations and permissions point to) and `logs` (its log group,
/// `/aws/lambda/<name>`, which the function writes JSON to and so depends on:
/// the group exists before the first invocation, with its retention).
#[derive(Clone, Debug)]
pub struct Function {
    scope: Scope,
    id: String,
    function: LambdaFunctionRef,
    alias: LambdaAliasRef,
    logs: CloudwatchLogGroupRef,
}

impl Function {
    pub fn new(stack: &mut Stack, scope: &Scope, id: &str, props: FunctionProps) -> Self {
        let scope = scope.child(id);
        let name = props.function_name.unwrap_or_else(|| id.into());
        let logs = stack.add(
            &scope,
            "logs",
            CloudwatchLogGroup::new()
                .name(crate::template!["/aws/lambda/", &name] as Tf<String>)
                .retention_in_days(props.log_retention_days),
        );
        let mut function = LambdaFunction::new(LambdaFunctionArgs {
            function_name: name,
            role: props.role,
        })
        .memory_size(props.memory_size)
        .timeout(props.timeout)
        .logging_config(
            LambdaFunctionLoggingConfig::new(LambdaFunctionLoggingConfigArgs {
                log_format: "JSON".into(),
            })
            .log_group(logs.name()),
        );
        function = props.code.apply_to(function);
        if let Some(handler) = props.handler {
            function = function.handler(handler);
        }
        if let Some(runtime) = props.runtime {
            function = function.runtime(runtime);
        }
        if !props.architectures.is_empty() {
            function = function.architectures(props.architectures);
        }
        if !props.environment.is_empty() {
            function =
                function.environment(LambdaFunctionEnvironment::new().variables(props.environment));
        }
        if props.publish {
            function = function.publish(true);
        }
        if let Some(customize) = props.customize {
            function = customize(function);
        }
        let function = stack.add(&scope, "fn", function);
        let alias = stack.add(
            &scope,
            "alias",
            LambdaAlias::new(LambdaAliasArgs {
                name: crate::template![function.function_name(), "-alias"],
                function_name: function.function_name(),
                function_version: function.version(),
            }),
        );
        if !props.publish {
            // `$LATEST` never changes name; without this, every plan would
            // show the alias moving to the version Terraform reads back.
            stack.block(&alias).ignore_changes(["function_version"]);
        }
        Function {
            scope,
            id: id.to_owned(),
            function,
            alias,
            logs,
        }
    }

    pub fn function(&self) -> &LambdaFunctionRef {
        &self.function
    }

    pub fn alias(&self) -> &LambdaAliasRef {
        &self.alias
    }

    pub fn logs(&self) -> &CloudwatchLogGroupRef {
        &self.logs
    }

    /// Lets `principal` (`apigateway.amazonaws.com`) invoke the alias from
    /// `source_arn`, at `<id>/allow-invocation-for-<principal>` (then
    /// `...-2`, `...-3` for other sources). Asking again for the same
    /// principal and source gives the same permission.
    pub fn allow_invocation(
        &self,
        stack: &mut Stack,
        principal: &str,
        source_arn: Tf<Arn>,
    ) -> LambdaPermissionRef {
        let base = format!("allow-invocation-for-{}", principal.replace('.', "-"));
        let mut n = 1;
        loop {
            let id = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let address =
                Address::resource("aws_lambda_permission", self.scope.child(&id).logical_id());
            let Some(existing) = stack.declared(&address) else {
                return stack.add(
                    &self.scope,
                    &id,
                    LambdaPermission::new(LambdaPermissionArgs {
                        action: "lambda:InvokeFunction".into(),
                        function_name: self.function.function_name(),
                        principal: principal.into(),
                    })
                    .qualifier(self.alias.name())
                    .source_arn(source_arn)
                    .statement_id(id.as_str()),
                );
            };
            let same_source = stack.blocks()[existing.index()]
                .body()
                .and_then(|body| body.get("source_arn"))
                == Some(&Value::Expr(source_arn.expr().clone()));
            if same_source {
                return existing.into();
            }
            n += 1;
        }
    }

    /// Lets `role` invoke the alias, with the inline policy
    /// `allow-invoke-<construct id>`.
    pub fn grant_invoke(&self, stack: &mut Stack, role: &Role) -> IamRolePolicyRef {
        role.grant_statement(
            stack,
            &format!("allow-invoke-{}", self.id),
            Statement::allow(["lambda:InvokeFunction"]).resource(self.alias.arn()),
        )
    }

    /// Invokes the function with `input` (JSON text) whenever the stack is
    /// applied or destroyed, from `scope/<id>`.
    pub fn invoke_on_every_change(
        &self,
        stack: &mut Stack,
        scope: &Scope,
        id: &str,
        input: &str,
    ) -> LambdaInvocationRef {
        stack.add(
            scope,
            id,
            LambdaInvocation::new(LambdaInvocationArgs {
                function_name: self.function.function_name(),
                input: input.into(),
            })
            .lifecycle_scope("CRUD"),
        )
    }
}
