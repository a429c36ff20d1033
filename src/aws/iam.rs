//! IAM roles and policies.

use crate::expr::{Arn, Map, Number};

crate::resource! {
    /// An IAM role.
    pub struct IamRole("aws_iam_role", provider = super::PROVIDER, taggable = true) -> IamRoleRef {
        required {
            /// Who may assume the role: a [`PolicyDocument`](super::policy::PolicyDocument).
            assume_role_policy: String,
        }
        optional {
            name: String,
            name_prefix: String,
            description: String,
            path: String,
            /// Seconds, 3600 to 43200.
            max_session_duration: Number,
            permissions_boundary: Arn,
            force_detach_policies: bool,
            tags: Map<String>,
        }
        repeated {
            /// Inline policies managed exclusively by this block. Prefer
            /// [`IamRolePolicy`] resources: with both, they undo each other.
            inline_policy: IamRoleInlinePolicy,
        }
        attributes {
            arn: Arn,
            id: String,
            name: String,
            unique_id: String,
        }
    }
}

crate::nested_block! {
    pub struct IamRoleInlinePolicy {
        optional {
            name: String,
            policy: String,
        }
    }
}

crate::resource! {
    /// An inline policy of a role, managed on its own: several can coexist.
    pub struct IamRolePolicy("aws_iam_role_policy", provider = super::PROVIDER) -> IamRolePolicyRef {
        required {
            /// The policy document (JSON text).
            policy: String,
            /// The role's name (not its ARN).
            role: String,
        }
        optional {
            name: String,
            name_prefix: String,
        }
        attributes {
            id: String,
            name: String,
        }
    }
}

crate::resource! {
    /// Attaches a managed policy to a role.
    pub struct IamRolePolicyAttachment("aws_iam_role_policy_attachment", provider = super::PROVIDER) -> IamRolePolicyAttachmentRef {
        required {
            policy_arn: Arn,
            /// The role's name (not its ARN).
            role: String,
        }
        attributes {
            id: String,
        }
    }
}

crate::resource! {
    /// A customer managed policy.
    pub struct IamPolicy("aws_iam_policy", provider = super::PROVIDER, taggable = true) -> IamPolicyRef {
        required {
            policy: String,
        }
        optional {
            name: String,
            name_prefix: String,
            description: String,
            path: String,
            tags: Map<String>,
        }
        attributes {
            arn: Arn,
            id: String,
            name: String,
            policy_id: String,
        }
    }
}

/// The ARN of an AWS managed policy, from its name with path:
/// `service-role/AWSLambdaBasicExecutionRole`.
pub fn aws_managed_policy(name: &str) -> crate::expr::Tf<Arn> {
    crate::expr::Tf::<Arn>::literal(format!("arn:aws:iam::aws:policy/{name}"))
}
