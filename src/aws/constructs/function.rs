//! A Lambda function with its alias, log group and permissions.

use std::collections::BTreeMap;

use crate::address::Address;
use crate::construct::Scope;
use crate::expr::{Arn, Tf};
use crate::stack::Stack;

use super::super::cloudwatch::{CloudwatchLogGroup, CloudwatchLogGroupRef};
use super::super::iam::IamRolePolicyRef;
use super::super::lambda::{
    LambdaAlias, LambdaAliasRef, LambdaFunction, LambdaFunctionEnvironment,
    LambdaFunctionLoggingConfig, LambdaFunctionRef, LambdaInvocation, LambdaInvocationRef,
    LambdaPermission, LambdaPermissionRef,
};
use super::super::policy::Statement;
use super::{LambdaCode, Role};

/// What a [`Function`] is made of.
#[derive(Clone, Debug)]
pub struct FunctionProps {
    /// The function's name (default: the construct id).
    pub function_name: Option<String>,
    pub role: Tf<Arn>,
    pub code: LambdaCode,
    pub handler: String,
    pub runtime: String,
    pub architectures: Vec<String>,
    pub memory_size: u32,
    pub timeout: u32,
    pub environment: BTreeMap<String, Tf<String>>,
    /// Days the function's logs are kept.
    pub log_retention_days: u32,
}

impl FunctionProps {
    /// A function of `code` running as `role`, with Lambda's defaults
    /// (128 MB, 3 s, x86_64) and logs kept 7 days.
    pub fn new(role: Tf<Arn>, code: LambdaCode, handler: &str, runtime: &str) -> Self {
        FunctionProps {
            function_name: None,
            role,
            code,
            handler: handler.to_owned(),
            runtime: runtime.to_owned(),
            architectures: Vec::new(),
            memory_size: 128,
            timeout: 3,
            environment: BTreeMap::new(),
            log_retention_days: 7,
        }
    }
}

/// A function at `scope/<id>`: `fn` (the function), `alias` (`<name>-alias`,
/// what integrations and permissions point to) and `logs` (its log group,
/// which the function writes JSON to and so depends on: the group exists
/// before the first invocation, with its retention).
#[derive(Clone, Debug)]
pub struct Function {
    scope: Scope,
    function: LambdaFunctionRef,
    alias: LambdaAliasRef,
    logs: CloudwatchLogGroupRef,
    name: String,
}

impl Function {
    pub fn new(stack: &mut Stack, scope: &Scope, id: &str, props: FunctionProps) -> Self {
        let scope = scope.child(id);
        let name = props.function_name.unwrap_or_else(|| id.to_owned());
        let logs = stack.add(
            &scope,
            "logs",
            CloudwatchLogGroup::new()
                .name(format!("/aws/lambda/{name}"))
                .retention_in_days(props.log_retention_days),
        );
        let mut function = LambdaFunction::new(name.as_str(), props.role)
            .filename(props.code.path())
            .source_code_hash(props.code.base64_sha256())
            .handler(props.handler)
            .runtime(props.runtime)
            .memory_size(props.memory_size)
            .timeout(props.timeout)
            .logging_config(LambdaFunctionLoggingConfig::new("JSON").log_group(logs.name()));
        if !props.architectures.is_empty() {
            function = function.architectures(props.architectures);
        }
        if !props.environment.is_empty() {
            function =
                function.environment(LambdaFunctionEnvironment::new().variables(props.environment));
        }
        let function = stack.add(&scope, "fn", function);
        let alias = stack.add(
            &scope,
            "alias",
            LambdaAlias::new(
                crate::template![function.function_name(), "-alias"] as Tf<String>,
                function.function_name(),
                function.version(),
            ),
        );
        stack.block(&alias).ignore_changes(["function_version"]);
        Function {
            scope,
            function,
            alias,
            logs,
            name,
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

    /// The function's name, as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Lets `principal` (`apigateway.amazonaws.com`) invoke the alias from
    /// `source_arn`, at `<id>/allow-invocation-for-<principal>`. Asking twice
    /// for one principal gives the same permission.
    pub fn allow_invocation(
        &self,
        stack: &mut Stack,
        principal: &str,
        source_arn: Tf<Arn>,
    ) -> LambdaPermissionRef {
        let id = format!("allow-invocation-for-{}", principal.replace('.', "-"));
        let scope = self.scope.child(&id);
        let address = Address::resource("aws_lambda_permission", scope.logical_id());
        if let Some(existing) = stack.declared(&address) {
            return existing.into();
        }
        stack.add(
            &self.scope,
            &id,
            LambdaPermission::new(
                "lambda:InvokeFunction",
                self.function.function_name(),
                principal,
            )
            .qualifier(self.alias.name())
            .source_arn(source_arn)
            .statement_id(id.as_str()),
        )
    }

    /// Lets `role` invoke the alias, with the inline policy
    /// `allow-invoke-<function name>`.
    pub fn grant_invoke(&self, stack: &mut Stack, role: &Role) -> IamRolePolicyRef {
        role.grant_statement(
            stack,
            &format!("allow-invoke-{}", self.name),
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
            LambdaInvocation::new(self.function.function_name(), input).lifecycle_scope("CRUD"),
        )
    }
}
