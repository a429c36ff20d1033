//! The Kite stacks' configuration (SPEC §4), read from `.env` or the
//! environment and checked before anything is built.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use kite::Env;

/// Where the Quarkus build leaves the Lambda package, from the project root.
pub const DEFAULT_LAMBDA_ZIP: &str = "../k1te-serverless/target/function.zip";
pub const DEFAULT_STATE_BUCKET: &str = "k1te-chat-tfstate";
pub const DEFAULT_STATE_REGION: &str = "eu-north-1";

/// The settings of the `kite` stack.
#[derive(Clone, Debug)]
pub struct KiteConfig {
    /// The apex domain hosted on Cloudflare; `None`: no custom domains.
    pub domain: Option<String>,
    pub lambda_zip: PathBuf,
    pub state_bucket: String,
    pub state_region: String,
}

/// Lambda's limit for a package uploaded directly (not through S3), zipped.
pub const DIRECT_UPLOAD_LIMIT: u64 = 50 * 1024 * 1024;

impl KiteConfig {
    pub fn from_env(env: &Env) -> Result<Self> {
        let domain = match env.get("KITE_DOMAIN")? {
            None => None,
            Some(raw) => {
                let domain = raw.trim().trim_end_matches('.').to_ascii_lowercase();
                if let Err(why) = check_host_name(&domain) {
                    bail!(
                        "KITE_DOMAIN=`{raw}` is not a host name ({why}): set it to the apex domain hosted on Cloudflare, such as `example.com`, or unset it to deploy without custom domains"
                    );
                }
                if env.get("CLOUDFLARE_API_TOKEN")?.is_none() {
                    bail!(
                        "KITE_DOMAIN is set to `{domain}`, but CLOUDFLARE_API_TOKEN is not: the Cloudflare provider needs a token to manage the zone's DNS records. Create one from the \"Edit zone DNS\" template at https://dash.cloudflare.com/profile/api-tokens and set CLOUDFLARE_API_TOKEN in .env or the environment (it is never written to cdktf.out), or unset KITE_DOMAIN"
                    );
                }
                Some(domain)
            }
        };
        let lambda_zip = lambda_package(env)?;
        let state_bucket = env
            .get("KITE_STATE_BUCKET")?
            .unwrap_or(DEFAULT_STATE_BUCKET)
            .to_owned();
        if let Err(why) = check_bucket_name(&state_bucket) {
            bail!(
                "KITE_STATE_BUCKET=`{state_bucket}` is not an S3 bucket name ({why}): set it to the bucket that holds the Terraform state"
            );
        }
        let state_region = env
            .get("KITE_STATE_REGION")?
            .unwrap_or(DEFAULT_STATE_REGION)
            .to_owned();
        if !is_region(&state_region) {
            bail!(
                "KITE_STATE_REGION=`{state_region}` is not an AWS region name (such as `eu-north-1`): set it to the state bucket's region"
            );
        }
        Ok(KiteConfig {
            domain,
            lambda_zip,
            state_bucket,
            state_region,
        })
    }
}

/// The Lambda package: `KITE_LAMBDA_ZIP` (a path, used byte for byte) or
/// the default, relative to the project root; one non-empty regular file
/// whose name Terraform JSON can hold.
fn lambda_package(env: &Env) -> Result<PathBuf> {
    let given = env.get_os("KITE_LAMBDA_ZIP");
    let path = env
        .project_root()
        .join(given.map_or(Path::new(DEFAULT_LAMBDA_ZIP), Path::new));
    let shown = path.display();
    let source = if given.is_some() {
        "KITE_LAMBDA_ZIP".to_owned()
    } else {
        format!("the default when KITE_LAMBDA_ZIP is unset: {DEFAULT_LAMBDA_ZIP}")
    };
    let build = "build it with `./mvnw package -DskipTests` in the k1te-serverless project, or set KITE_LAMBDA_ZIP to the package's path";
    let metadata = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("the Lambda package {shown} does not exist ({source}): {build}")
        }
        Err(e) => bail!("cannot read the Lambda package {shown} ({source}): {e}"),
    };
    if !metadata.is_file() {
        bail!(
            "the Lambda package {shown} ({source}) is {}, not a file: {build}",
            kite::asset::describe_file_type(&metadata.file_type())
        );
    }
    if metadata.len() == 0 {
        bail!(
            "the Lambda package {shown} ({source}) is empty (0 bytes), and Lambda refuses an empty package: {build}"
        );
    }
    if path.file_name().and_then(|n| n.to_str()).is_none() {
        bail!(
            "the file name of the Lambda package \"{}\" ({source}) is not valid UTF-8, and Terraform JSON names the package's copy as UTF-8 text: rename the file",
            path.as_os_str().as_encoded_bytes().escape_ascii()
        );
    }
    if metadata.len() > DIRECT_UPLOAD_LIMIT {
        env.warn(format!(
            "the Lambda package {shown} is {}, above Lambda's 50 MB limit for a package uploaded directly: `terraform apply` will fail with RequestEntityTooLargeException. Make the package smaller, or upload it to S3 and deploy it from there",
            kite::input::size(metadata.len())
        ));
    }
    Ok(path)
}

/// A DNS host name: labels of letters, digits and inner hyphens, at least two.
fn check_host_name(name: &str) -> std::result::Result<(), String> {
    if name.len() > 253 {
        return Err("longer than 253 characters".into());
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return Err("it needs a dot, as in `example.com`".into());
    }
    for label in labels {
        if label.is_empty() || label.len() > 63 {
            return Err(format!("the label `{label}` must have 1 to 63 characters"));
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!(
                "the label `{label}` may only have letters, digits and `-`"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("the label `{label}` cannot start or end with `-`"));
        }
    }
    Ok(())
}

/// S3's rules for bucket names (general purpose buckets).
fn check_bucket_name(name: &str) -> std::result::Result<(), String> {
    if !(3..=63).contains(&name.len()) {
        return Err("it must have 3 to 63 characters".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    {
        return Err("only lower-case letters, digits, `.` and `-`".into());
    }
    let first_last_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !first_last_ok(name.chars().next()) || !first_last_ok(name.chars().last()) {
        return Err("it must start and end with a letter or digit".into());
    }
    Ok(())
}

/// `xx-name-N`, as `eu-north-1` or `us-gov-west-1`.
fn is_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn env_with(vars: &[(&str, &str)], root: &Path) -> Env {
        Env::from_vars(root, vars.iter().copied())
    }

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("function.zip"), b"zip").unwrap();
        dir
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let dir = project();
        let env = env_with(&[("KITE_LAMBDA_ZIP", "function.zip")], dir.path());
        let config = KiteConfig::from_env(&env).unwrap();
        assert_eq!(config.domain, None);
        assert_eq!(config.state_bucket, "k1te-chat-tfstate");
        assert_eq!(config.state_region, "eu-north-1");
        assert_eq!(config.lambda_zip, dir.path().join("function.zip"));
    }

    #[test]
    fn host_names_are_checked() {
        assert!(check_host_name("k1te.chat").is_ok());
        assert!(check_host_name("sub.example-1.org").is_ok());
        assert!(check_host_name("localhost").is_err());
        assert!(check_host_name("bad_name.com").is_err());
        assert!(check_host_name("-x.com").is_err());
        assert!(check_host_name("a..com").is_err());
        assert!(check_host_name("https://k1te.chat").is_err());
    }

    #[test]
    fn bucket_and_region_names_are_checked() {
        assert!(check_bucket_name("k1te-chat-tfstate").is_ok());
        assert!(check_bucket_name("Upper").is_err());
        assert!(check_bucket_name("ab").is_err());
        assert!(is_region("eu-north-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region("eu-north"));
        assert!(!is_region("EU-north-1"));
        let dir = project();
        let env = env_with(
            &[
                ("KITE_LAMBDA_ZIP", "function.zip"),
                ("KITE_STATE_REGION", "mars"),
            ],
            dir.path(),
        );
        let err = KiteConfig::from_env(&env).unwrap_err().to_string();
        assert!(err.contains("KITE_STATE_REGION=`mars`"), "{err}");
    }

    #[test]
    fn a_domain_is_normalized() {
        let dir = project();
        let env = env_with(
            &[
                ("KITE_LAMBDA_ZIP", "function.zip"),
                ("KITE_DOMAIN", "K1te.Chat."),
                ("CLOUDFLARE_API_TOKEN", "t"),
            ],
            dir.path(),
        );
        assert_eq!(
            KiteConfig::from_env(&env).unwrap().domain.as_deref(),
            Some("k1te.chat")
        );
    }
}
