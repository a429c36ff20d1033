//! A secret in SSM Parameter Store that Terraform never stores.

use hmac::{KeyInit, Mac};
use sha2::Sha256;

use crate::construct::Scope;
use crate::expr::{Arn, Tf};
use crate::stack::Stack;

use super::super::iam::IamRolePolicyRef;
use super::super::kms::{DataAwsKmsAlias, DataAwsKmsAliasArgs};
use super::super::policy::{PolicyDocument, Statement};
use super::super::ssm::{SsmParameter, SsmParameterArgs, SsmParameterRef};
use super::Role;

/// A `SecureString` parameter at `scope/<id>`: `parameter`, written through
/// the write-only `value_wo` (Terraform 1.11+) from a secret input (an
/// ephemeral, sensitive variable that kite fills from a setting when it runs
/// terraform, named after the construct id with `_` for `-`:
/// `telegram_bot_token`, so `TF_VAR_telegram_bot_token`), and `ssm-key`
/// (the AWS-managed key it is encrypted with). The secret is in neither the
/// output nor the state.
///
/// `value_wo_version` tells Terraform when to send the value again: kite
/// derives it from a keyed hash (HMAC-SHA256, keyed with the parameter's
/// name) of the secret, 48 bits of it, so it changes when the secret does.
/// Neither the secret nor an unkeyed hash of it is written anywhere.
#[derive(Clone, Debug)]
pub struct SecureParameter {
    id: String,
    parameter: SsmParameterRef,
    name: String,
    key: super::super::kms::DataAwsKmsAliasRef,
}

impl SecureParameter {
    /// A parameter named `name` (`/app/prod/token`) holding the value of the
    /// setting `setting`, which is `secret` now.
    pub fn new(
        stack: &mut Stack,
        scope: &Scope,
        id: &str,
        name: &str,
        setting: &str,
        secret: &str,
    ) -> Self {
        let value = stack.secret_input(&Scope::root(), &id.replace('-', "_"), setting);
        let scope = scope.child(id);
        let parameter = stack.add(
            &scope,
            "parameter",
            SsmParameter::new(SsmParameterArgs {
                name: name.into(),
                r#type: "SecureString".into(),
            })
            .description(format!(
                "from the setting {setting}, written by Terraform without storing it"
            ))
            .value_wo(value)
            .value_wo_version(version(name, secret)),
        );
        let key = stack.data(
            &scope,
            "ssm-key",
            DataAwsKmsAlias::new(DataAwsKmsAliasArgs {
                name: "alias/aws/ssm".into(),
            }),
        );
        SecureParameter {
            id: id.to_owned(),
            parameter,
            name: name.to_owned(),
            key,
        }
    }

    pub fn parameter(&self) -> &SsmParameterRef {
        &self.parameter
    }

    /// The parameter's name: what a function reads the secret by.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn arn(&self) -> Tf<Arn> {
        self.parameter.arn()
    }

    /// Lets `role` read the secret, as the inline policy
    /// `allow-read-<id>`: `ssm:GetParameter` on this parameter, and
    /// `kms:Decrypt` with the AWS-managed key, through SSM only.
    pub fn grant_read(&self, stack: &mut Stack, role: &Role) -> IamRolePolicyRef {
        role.grant(
            stack,
            &format!("allow-read-{}", self.id),
            PolicyDocument::new()
                .statement(
                    Statement::allow(["ssm:GetParameter"])
                        .sid("Parameter")
                        .resource(self.arn()),
                )
                .statement(
                    Statement::allow(["kms:Decrypt"])
                        .sid("Key")
                        .resource(self.key.target_key_arn())
                        .condition("StringLike", "kms:ViaService", ["ssm.*.amazonaws.com"]),
                ),
        )
    }
}

/// 48 bits of HMAC-SHA256(key = `kite value_wo_version <name>`, secret):
/// a number Terraform keeps exactly.
fn version(name: &str, secret: &str) -> u64 {
    let key = format!("kite value_wo_version {name}");
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(secret.as_bytes());
    let digest = mac.finalize().into_bytes();
    digest[..6]
        .iter()
        .fold(0u64, |n, b| (n << 8) | u64::from(*b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_changes_with_the_secret_and_the_name_and_hides_both() {
        let a = version("/app/prod/token", "123:abc");
        assert_eq!(a, version("/app/prod/token", "123:abc"), "stable");
        assert_ne!(a, version("/app/prod/token", "123:abd"));
        assert_ne!(a, version("/app/dev/token", "123:abc"), "keyed by the name");
        assert!(a < 1 << 48);
        // Not an unkeyed hash of the secret.
        let plain = <sha2::Sha256 as sha2::Digest>::digest(b"123:abc");
        let plain = plain[..6]
            .iter()
            .fold(0u64, |n, b| (n << 8) | u64::from(*b));
        assert_ne!(a, plain);
    }
}
