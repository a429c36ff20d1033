//! `kite diff|deploy|destroy STACK -- ARGS`: arguments for terraform.
//!
//! ARGS go to `terraform plan` (which `destroy` runs with `-destroy`), after
//! kite's own arguments: `-target`, `-replace`, `-refresh=false`, `-var`,
//! `-var-file`. A saved plan carries them to `apply`, which refuses most of
//! them; the few that `apply` takes as well (`-lock`, `-lock-timeout`,
//! `-parallelism`) are given to both. The arguments kite sets itself are
//! refused, each with what to use instead.

use std::fmt;

/// An argument kite sets itself, given after `--`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub argument: String,
    pub instead: &'static str,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` after `--` is refused: kite sets it itself; {}",
            self.argument, self.instead
        )
    }
}

impl std::error::Error for Refused {}

/// The options kite sets, and what a user uses instead.
const KITE_S: &[(&str, &str)] = &[
    (
        "auto-approve",
        "pass --auto-approve to kite (`kite deploy STACK --auto-approve`)",
    ),
    (
        "chdir",
        "kite runs terraform in the stack's directory under the output (--out)",
    ),
    (
        "out",
        "kite saves the plan as kite.tfplan in the stack's directory and removes it after applying",
    ),
    (
        "json",
        "kite reads terraform's JSON output itself; pass --json to kite for a JSON summary, or --raw for terraform's own output",
    ),
    (
        "input",
        "kite runs terraform with -input=false and asks for confirmation itself",
    ),
    (
        "detailed-exitcode",
        "pass --detailed-exitcode to `kite diff`",
    ),
    ("destroy", "use `kite destroy`"),
    ("no-color", "kite adds it when its output is not a terminal"),
];

/// The options `apply` of a saved plan takes as well as `plan`.
const FOR_APPLY_TOO: &[&str] = &["lock", "lock-timeout", "parallelism"];

/// `-name`, `--name`, `-name=value`: the option's name.
fn option_name(arg: &str) -> Option<&str> {
    let rest = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'))?;
    let name = rest.split('=').next().unwrap_or(rest);
    (!name.is_empty()).then_some(name)
}

/// Checks what the user passed after `--`.
pub(crate) fn check(args: &[String]) -> Result<(), Refused> {
    for arg in args {
        let Some(name) = option_name(arg) else {
            continue;
        };
        if let Some((_, instead)) = KITE_S.iter().find(|(n, _)| *n == name) {
            return Err(Refused {
                argument: arg.clone(),
                instead,
            });
        }
    }
    Ok(())
}

/// The arguments among `args` that `apply` takes with a saved plan.
pub(crate) fn for_apply(args: &[String]) -> Vec<String> {
    args.iter()
        .filter(|a| option_name(a).is_some_and(|n| FOR_APPLY_TOO.contains(&n)))
        .cloned()
        .collect()
}

/// A terraform command line as kite shows and logs it: the value of each
/// `-var NAME=VALUE` replaced by `(not logged)`, as it may be a secret
/// (secrets belong in `TF_VAR_NAME`, which no log or process list shows).
pub(crate) fn shown(args: &[String]) -> String {
    let mut out: Vec<String> = Vec::with_capacity(args.len());
    let mut value_next = false;
    for arg in args {
        let masked = |assignment: &str| match assignment.split_once('=') {
            Some((name, _)) => format!("{name}=(not logged)"),
            None => assignment.to_owned(),
        };
        if value_next {
            out.push(masked(arg));
            value_next = false;
        } else if arg == "-var" || arg == "--var" {
            out.push(arg.clone());
            value_next = true;
        } else if let Some(rest) = arg
            .strip_prefix("-var=")
            .or_else(|| arg.strip_prefix("--var="))
        {
            let prefix = &arg[..arg.len() - rest.len()];
            out.push(format!("{prefix}{}", masked(rest)));
        } else {
            out.push(arg.clone());
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn terraform_s_own_options_pass() {
        let args = strings(&[
            "-target=aws_s3_bucket.b",
            "-refresh=false",
            "-replace",
            "aws_iam_role.r",
            "-var",
            "x=1",
            "-lock-timeout=5m",
        ]);
        assert_eq!(check(&args), Ok(()));
        assert_eq!(for_apply(&args), strings(&["-lock-timeout=5m"]));
    }

    #[test]
    fn kite_s_options_are_refused_with_what_to_use_instead() {
        for arg in [
            "-auto-approve",
            "--auto-approve",
            "-chdir=/tmp",
            "-out=x",
            "-json",
        ] {
            let refused = check(&strings(&["-refresh=false", arg])).unwrap_err();
            assert_eq!(refused.argument, arg);
        }
        let message = check(&strings(&["-auto-approve"])).unwrap_err().to_string();
        assert!(message.contains("--auto-approve"), "{message}");
        // A value that happens to look like one is a value.
        assert_eq!(check(&strings(&["-var", "json=1"])), Ok(()));
    }

    #[test]
    fn var_values_are_not_shown() {
        let args = strings(&[
            "plan",
            "-var",
            "token=s3cr3t",
            "-var=password=hunter22",
            "-var-file=prod.tfvars",
            "-target=a.b",
        ]);
        assert_eq!(
            shown(&args),
            "plan -var token=(not logged) -var=password=(not logged) -var-file=prod.tfvars -target=a.b"
        );
    }
}
