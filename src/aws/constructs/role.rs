//! An IAM role whose grants accumulate.

use crate::construct::Scope;
use crate::expr::{Arn, Tf};
use crate::stack::Stack;

use super::super::aws_managed_policy;
use super::super::iam::{
    IamRole, IamRoleArgs, IamRolePolicy, IamRolePolicyArgs, IamRolePolicyAttachment,
    IamRolePolicyAttachmentArgs, IamRolePolicyAttachmentRef, IamRolePolicyRef, IamRoleRef,
};
use super::super::policy::{PolicyDocument, Statement};

/// A role at `scope/<id>/<id>`, named `<id>` unless given a name. Each grant is its own
/// `aws_iam_role_policy` at `scope/<id>/<grant name>`, so grants add up
/// instead of replacing each other.
#[derive(Clone, Debug)]
pub struct Role {
    scope: Scope,
    id: String,
    role: IamRoleRef,
}

impl Role {
    /// A role that the AWS service `service` (`lambda.amazonaws.com`) assumes.
    pub fn for_service(stack: &mut Stack, scope: &Scope, id: &str, service: &str) -> Self {
        Self::new(
            stack,
            scope,
            id,
            PolicyDocument::assumed_by_service(service),
        )
    }

    /// A role that the AWS service `service` assumes, with its own name
    /// (such as `<stage>-<id>`, so that several stages share an account).
    pub fn for_service_named(
        stack: &mut Stack,
        scope: &Scope,
        id: &str,
        name: impl Into<Tf<String>>,
        service: &str,
    ) -> Self {
        Self::with_name(
            stack,
            scope,
            id,
            name,
            PolicyDocument::assumed_by_service(service),
        )
    }

    /// A role named `<id>` with any trust policy.
    pub fn new(stack: &mut Stack, scope: &Scope, id: &str, trust: PolicyDocument) -> Self {
        Self::with_name(stack, scope, id, id, trust)
    }

    /// A role with its own name (such as `<environment>-<id>`, so that
    /// several environments can share an account).
    pub fn with_name(
        stack: &mut Stack,
        scope: &Scope,
        id: &str,
        name: impl Into<Tf<String>>,
        trust: PolicyDocument,
    ) -> Self {
        let scope = scope.child(id);
        let role = stack.add(
            &scope,
            id,
            IamRole::new(IamRoleArgs {
                assume_role_policy: trust.into(),
            })
            .name(name),
        );
        Role {
            scope,
            id: id.to_owned(),
            role,
        }
    }

    pub fn role(&self) -> &IamRoleRef {
        &self.role
    }

    pub fn arn(&self) -> Tf<Arn> {
        self.role.arn()
    }

    pub fn name(&self) -> Tf<String> {
        self.role.name()
    }

    /// Attaches the AWS managed policy `name` (`service-role/AWSLambdaBasicExecutionRole`),
    /// at `<id>/<id>-managed-<policy>-attachment`.
    pub fn attach_managed_policy(
        &self,
        stack: &mut Stack,
        name: &str,
    ) -> IamRolePolicyAttachmentRef {
        let short = name.rsplit('/').next().unwrap_or(name);
        stack.add(
            &self.scope,
            &format!("{}-managed-{short}-attachment", self.id),
            IamRolePolicyAttachment::new(IamRolePolicyAttachmentArgs {
                policy_arn: aws_managed_policy(name),
                role: self.role.name(),
            }),
        )
    }

    /// Grants the statements of `policy` as the inline policy `name`.
    pub fn grant(&self, stack: &mut Stack, name: &str, policy: PolicyDocument) -> IamRolePolicyRef {
        stack.add(
            &self.scope,
            name,
            IamRolePolicy::new(IamRolePolicyArgs {
                policy: policy.into(),
                role: self.role.name(),
            })
            .name(name),
        )
    }

    /// Grants one statement as the inline policy `name`.
    pub fn grant_statement(
        &self,
        stack: &mut Stack,
        name: &str,
        statement: Statement,
    ) -> IamRolePolicyRef {
        self.grant(stack, name, PolicyDocument::new().statement(statement))
    }
}
