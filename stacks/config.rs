//! The Kite stacks' configuration (SPEC §4), read from `.env` or the
//! environment and checked before anything is built.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use kite::Env;

use crate::stage::Stage;

/// Where the Quarkus build leaves the Lambda package, from the project root.
pub const DEFAULT_LAMBDA_ZIP: &str = "../k1te-serverless/target/function.zip";
pub const DEFAULT_STATE_BUCKET: &str = "k1te-chat-tfstate";
pub const DEFAULT_STATE_REGION: &str = "eu-north-1";

/// The settings of the `kite` stack.
#[derive(Clone, Debug)]
pub struct KiteConfig {
    /// The apex domain hosted on Cloudflare; `None`: no custom domains.
    pub domain: Option<String>,
    /// Where the functions' package comes from.
    pub lambda: LambdaSource,
    pub state_bucket: String,
    pub state_region: String,
}

/// Where the functions' package comes from (`KITE_LAMBDA_SOURCE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LambdaSource {
    /// A file shipped with each stage (`local`, the default).
    File(PathBuf),
    /// The `build` stack's bucket, where CI uploads it (`s3`).
    S3,
}

/// The settings of the `build` stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildConfig {
    /// `owner/name` of the GitHub repository whose workflows may upload
    /// packages; `None`: no CI role.
    pub github_repository: Option<String>,
    /// An existing GitHub OIDC provider of the account (one per account and
    /// URL); `None`: the build stack creates it (with a repository).
    pub github_oidc_provider_arn: Option<String>,
}

impl BuildConfig {
    pub fn from_env(env: &Env) -> Result<Self> {
        let github_repository = match env.get("KITE_GITHUB_REPOSITORY")? {
            None => None,
            Some(repo) => {
                let valid = repo.split_once('/').is_some_and(|(owner, name)| {
                    !owner.is_empty()
                        && owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                        && !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                });
                if !valid {
                    bail!(
                        "KITE_GITHUB_REPOSITORY=`{repo}` is not a GitHub repository (`owner/name`, such as `k1te-chat/k1te-serverless`): set it to the repository whose workflows upload the Lambda package, or unset it for no CI role"
                    );
                }
                Some(repo.to_owned())
            }
        };
        let github_oidc_provider_arn = match env.get("KITE_GITHUB_OIDC_PROVIDER_ARN")? {
            None => None,
            Some(arn) => {
                let valid = arn
                    .strip_prefix("arn:aws:iam::")
                    .and_then(|r| r.split_once(":oidc-provider/"))
                    .is_some_and(|(account, url)| {
                        account.len() == 12
                            && account.chars().all(|c| c.is_ascii_digit())
                            && url == GITHUB_OIDC_HOST
                    });
                if !valid {
                    bail!(
                        "KITE_GITHUB_OIDC_PROVIDER_ARN=`{arn}` is not the ARN of a GitHub OIDC provider (`arn:aws:iam::<account>:oidc-provider/{GITHUB_OIDC_HOST}`): set it to the provider the account has (`aws iam list-open-id-connect-providers`), or unset it to create one"
                    );
                }
                Some(arn.to_owned())
            }
        };
        Ok(BuildConfig {
            github_repository,
            github_oidc_provider_arn,
        })
    }
}

/// The host GitHub Actions' tokens come from.
pub const GITHUB_OIDC_HOST: &str = "token.actions.githubusercontent.com";

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
        let lambda = match env.get("KITE_LAMBDA_SOURCE")? {
            None | Some("local") => LambdaSource::File(lambda_package(env)?),
            Some("s3") => LambdaSource::S3,
            Some(other) => bail!(
                "KITE_LAMBDA_SOURCE=`{other}` is not a source of the Lambda package: set it to `local` (the file KITE_LAMBDA_ZIP names, the default) or `s3` (the build stack's bucket, where CI uploads it)"
            ),
        };
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
            lambda,
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

/// The settings of one stage (`kite` or `kite-dev`) beyond the shared ones.
#[derive(Clone)]
pub struct StageConfig {
    /// The Telegram bot token; `None`: no token parameter. Never printed.
    pub bot_token: Option<String>,
    /// Origins whose web pages may use the attachments' bucket.
    pub browser_origins: Vec<String>,
    /// The monthly cost budget, for the stage that owns the account.
    pub budget: Option<Budget>,
}

impl std::fmt::Debug for StageConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StageConfig")
            .field(
                "bot_token",
                &self.bot_token.as_ref().map(|_| "(set, not shown)"),
            )
            .field("browser_origins", &self.browser_origins)
            .field("budget", &self.budget)
            .finish()
    }
}

/// A monthly cost budget with e-mail alerts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// US dollars, as written (`25`, `12.50`).
    pub limit_usd: String,
    pub emails: Vec<String>,
}

impl StageConfig {
    pub fn from_env(env: &Env, stage: &Stage, domain: Option<&str>) -> Result<Self> {
        let bot_token = match env.get(stage.bot_token_setting)? {
            None => None,
            Some(token) => {
                check_bot_token(stage.bot_token_setting, token)?;
                Some(token.to_owned())
            }
        };
        // One bot has one webhook: two stages sharing it would take each
        // other's updates.
        let (prod, dev) = (Stage::PROD.bot_token_setting, Stage::DEV.bot_token_setting);
        if let (Some(a), Some(b)) = (env.get(prod)?, env.get(dev)?) {
            if a == b {
                bail!(
                    "{dev} is the same token as {prod}: a Telegram bot has one webhook, so two stages with one bot would take each other's messages. Create a second bot for development with @BotFather and set its token in {dev}, or unset {dev}"
                );
            }
        }
        let browser_origins = match env.get(stage.origins_setting)? {
            Some(list) => origins(stage.origins_setting, list)?,
            None => domain
                .map(|d| vec![format!("https://{}{d}", stage.web_host)])
                .unwrap_or_default(),
        };
        let budget = if stage.owns_account {
            budget(env)?
        } else {
            None
        };
        Ok(StageConfig {
            bot_token,
            browser_origins,
            budget,
        })
    }
}

/// `<bot id>:<secret>`, as @BotFather gives it. The value is never shown.
fn check_bot_token(setting: &str, token: &str) -> Result<()> {
    let well_formed = token.split_once(':').is_some_and(|(id, secret)| {
        !id.is_empty()
            && id.chars().all(|c| c.is_ascii_digit())
            && secret.len() >= 20
            && secret
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    });
    if !well_formed {
        bail!(
            "{setting} is not a Telegram bot token (its form is `<bot id>:<secret>`, digits, a colon, then at least 20 letters, digits, `_` or `-`, as @BotFather gives it; the value is not shown here): set it to the bot's token, or unset it"
        );
    }
    Ok(())
}

/// A comma-separated list of web origins (`https://example.com`,
/// `http://localhost:5173`).
fn origins(setting: &str, list: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if item == "*" {
            bail!(
                "{setting} contains `*`: any web page could then use the bucket from a visitor's browser. List the origins of the chat's own pages, such as `https://example.com`"
            );
        }
        let rest = item
            .strip_prefix("https://")
            .or_else(|| item.strip_prefix("http://"));
        let host = rest.map(|r| r.split_once(':').map_or(r, |(h, _)| h));
        let port_ok = rest
            .and_then(|r| r.split_once(':'))
            .is_none_or(|(_, p)| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        let valid = host.is_some_and(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        }) && port_ok;
        if !valid {
            bail!(
                "{setting} has `{item}`, which is not a web origin (`https://host` or `http://host:port`, no path): list origins separated by commas, such as `https://example.com,http://localhost:5173`"
            );
        }
        out.push(item.to_owned());
    }
    Ok(out)
}

/// `KITE_BUDGET_USD` and `KITE_ALERT_EMAIL`: both or neither.
fn budget(env: &Env) -> Result<Option<Budget>> {
    match (env.get("KITE_BUDGET_USD")?, env.get("KITE_ALERT_EMAIL")?) {
        (None, None) => Ok(None),
        (Some(_), None) => bail!(
            "KITE_BUDGET_USD is set but KITE_ALERT_EMAIL is not: the budget e-mails its alerts. Set KITE_ALERT_EMAIL to the addresses to alert (separated by commas), or unset KITE_BUDGET_USD"
        ),
        (None, Some(_)) => bail!(
            "KITE_ALERT_EMAIL is set but KITE_BUDGET_USD is not: set KITE_BUDGET_USD to the monthly limit in US dollars (such as `25`), or unset KITE_ALERT_EMAIL"
        ),
        (Some(limit), Some(emails)) => {
            let limit = limit.trim();
            let number_ok = !limit.is_empty()
                && limit.chars().all(|c| c.is_ascii_digit() || c == '.')
                && limit.matches('.').count() <= 1
                && limit.parse::<f64>().is_ok_and(|v| v > 0.0 && v.is_finite());
            if !number_ok {
                bail!(
                    "KITE_BUDGET_USD=`{limit}` is not an amount of US dollars: set it to a positive number such as `25` or `12.50`"
                );
            }
            let mut list = Vec::new();
            for email in emails.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if !is_email(email) {
                    bail!(
                        "KITE_ALERT_EMAIL has `{email}`, which is not an e-mail address: list addresses such as `ops@example.com`, separated by commas"
                    );
                }
                list.push(email.to_owned());
            }
            if list.is_empty() {
                bail!(
                    "KITE_ALERT_EMAIL lists no address: set at least one, such as `ops@example.com`"
                );
            }
            Ok(Some(Budget {
                limit_usd: limit.to_owned(),
                emails: list,
            }))
        }
    }
}

/// `local@domain.tld`: one `@`, something before it, a dotted host after it.
fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && !domain.contains('@')
        && check_host_name(domain).is_ok()
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
        assert_eq!(
            config.lambda,
            LambdaSource::File(dir.path().join("function.zip"))
        );
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

    fn stage_env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(Path::new("/p"), vars.iter().copied())
    }

    const TOKEN: &str = "123456:AAbbCCddEEffGGhhIIjjKKll-_";

    #[test]
    fn stage_settings_default_to_the_stage_own_origin() {
        let env = stage_env(&[]);
        let prod = StageConfig::from_env(&env, &Stage::PROD, Some("k1te.chat")).unwrap();
        assert_eq!(prod.browser_origins, ["https://k1te.chat"]);
        assert!(prod.bot_token.is_none() && prod.budget.is_none());
        let dev = StageConfig::from_env(&env, &Stage::DEV, Some("k1te.chat")).unwrap();
        assert_eq!(dev.browser_origins, ["https://dev.k1te.chat"]);
        let none = StageConfig::from_env(&env, &Stage::DEV, None).unwrap();
        assert!(none.browser_origins.is_empty());
    }

    #[test]
    fn bad_stage_settings_are_refused_by_name() {
        let err = |vars: &[(&str, &str)], stage: &Stage| {
            StageConfig::from_env(&stage_env(vars), stage, None)
                .unwrap_err()
                .to_string()
        };
        let e = err(
            &[("TELEGRAM_BOT_TOKEN", "not-a-token-secret")],
            &Stage::PROD,
        );
        assert!(
            e.starts_with("TELEGRAM_BOT_TOKEN is not a Telegram bot token"),
            "{e}"
        );
        assert!(
            !e.contains("not-a-token-secret"),
            "the value is never shown: {e}"
        );
        let e = err(
            &[
                ("TELEGRAM_BOT_TOKEN", TOKEN),
                ("TELEGRAM_DEV_BOT_TOKEN", TOKEN),
            ],
            &Stage::DEV,
        );
        assert!(
            e.contains("TELEGRAM_DEV_BOT_TOKEN is the same token as TELEGRAM_BOT_TOKEN"),
            "{e}"
        );
        assert!(!e.contains(TOKEN));
        let e = err(
            &[("KITE_BUCKET_ORIGINS", "https://a.com,ftp://b")],
            &Stage::PROD,
        );
        assert!(e.contains("`ftp://b`, which is not a web origin"), "{e}");
        let e = err(&[("KITE_DEV_BUCKET_ORIGINS", "*")], &Stage::DEV);
        assert!(e.contains("KITE_DEV_BUCKET_ORIGINS contains `*`"), "{e}");
        let e = err(&[("KITE_BUDGET_USD", "ten")], &Stage::PROD);
        assert!(e.contains("KITE_ALERT_EMAIL is not"), "{e}");
        let e = err(
            &[("KITE_BUDGET_USD", "ten"), ("KITE_ALERT_EMAIL", "a@b.com")],
            &Stage::PROD,
        );
        assert!(e.contains("KITE_BUDGET_USD=`ten` is not an amount"), "{e}");
        let e = err(
            &[
                ("KITE_BUDGET_USD", "25"),
                ("KITE_ALERT_EMAIL", "ops-at-example.com"),
            ],
            &Stage::PROD,
        );
        assert!(
            e.contains("`ops-at-example.com`, which is not an e-mail address"),
            "{e}"
        );
    }

    #[test]
    fn good_stage_settings_are_read() {
        let env = stage_env(&[
            ("TELEGRAM_BOT_TOKEN", TOKEN),
            (
                "KITE_BUCKET_ORIGINS",
                "https://k1te.chat, http://localhost:5173",
            ),
            ("KITE_BUDGET_USD", "12.50"),
            ("KITE_ALERT_EMAIL", "ops@example.com,me@example.org"),
        ]);
        let prod = StageConfig::from_env(&env, &Stage::PROD, None).unwrap();
        assert_eq!(prod.bot_token.as_deref(), Some(TOKEN));
        assert_eq!(
            prod.browser_origins,
            ["https://k1te.chat", "http://localhost:5173"]
        );
        assert_eq!(
            prod.budget,
            Some(Budget {
                limit_usd: "12.50".into(),
                emails: vec!["ops@example.com".into(), "me@example.org".into()]
            })
        );
        assert!(
            !format!("{prod:?}").contains(TOKEN),
            "Debug hides the token"
        );
        // Only the stage that owns the account has a budget.
        assert!(
            StageConfig::from_env(&env, &Stage::DEV, None)
                .unwrap()
                .budget
                .is_none()
        );
    }

    #[test]
    fn the_package_source_and_the_build_settings_are_checked() {
        let env = stage_env(&[("KITE_LAMBDA_SOURCE", "s3")]);
        assert_eq!(KiteConfig::from_env(&env).unwrap().lambda, LambdaSource::S3);
        let env = stage_env(&[("KITE_LAMBDA_SOURCE", "ftp")]);
        let err = KiteConfig::from_env(&env).unwrap_err().to_string();
        assert!(
            err.contains("KITE_LAMBDA_SOURCE=`ftp` is not a source"),
            "{err}"
        );
        let good = stage_env(&[
            ("KITE_GITHUB_REPOSITORY", "k1te-chat/k1te-serverless"),
            (
                "KITE_GITHUB_OIDC_PROVIDER_ARN",
                "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
            ),
        ]);
        let build = BuildConfig::from_env(&good).unwrap();
        assert_eq!(
            build.github_repository.as_deref(),
            Some("k1te-chat/k1te-serverless")
        );
        assert!(build.github_oidc_provider_arn.is_some());
        for (var, value, text) in [
            (
                "KITE_GITHUB_REPOSITORY",
                "k1te-serverless",
                "is not a GitHub repository",
            ),
            (
                "KITE_GITHUB_REPOSITORY",
                "a/b c",
                "is not a GitHub repository",
            ),
            (
                "KITE_GITHUB_OIDC_PROVIDER_ARN",
                "arn:aws:iam::123:oidc-provider/token.actions.githubusercontent.com",
                "is not the ARN of a GitHub OIDC provider",
            ),
        ] {
            let err = BuildConfig::from_env(&stage_env(&[(var, value)]))
                .unwrap_err()
                .to_string();
            assert!(err.contains(text), "{var}={value}: {err}");
        }
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
