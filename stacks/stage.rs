//! What differs between the chat's stages: production (`kite`) and
//! development (`kite-dev`) are one definition (`kite.rs`) built twice.

/// A stage of the chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stage {
    /// `prod` or `dev`: the API stages' name, the tables' prefix
    /// (`prod.Channels`), the handlers' `SERVERLESS_ENVIRONMENT`.
    pub name: &'static str,
    /// The stack, and its state's key in the state bucket (`<stack>/terraform.tfstate`).
    pub stack: &'static str,
    /// Before every account-scoped name (functions, roles, APIs and the log
    /// groups named after them): two stages share one account.
    pub name_prefix: &'static str,
    /// After the first label of the custom domains: `ws<suffix>.<domain>`.
    pub host_suffix: &'static str,
    /// The origin web pages read and write attachments from, by default:
    /// `https://<web_host><domain>`.
    pub web_host: &'static str,
    /// Days the functions' and stages' logs are kept.
    pub log_retention_days: u32,
    /// The handlers' memory, MB.
    pub memory_mb: u32,
    /// Tables get point-in-time recovery and refuse to be destroyed; the
    /// attachments' bucket keeps its objects when the stack is destroyed.
    pub protect_data: bool,
    /// The stage owns what one AWS account has once (API Gateway's
    /// CloudWatch role, the cost budget) and the validated wildcard
    /// certificate; the other stage uses them and depends on its stack.
    pub owns_account: bool,
    /// The stage replaces the cdktf app, whose state it takes over.
    pub from_cdktf: bool,
    /// The setting with the stage's Telegram bot token.
    pub bot_token_setting: &'static str,
    /// The setting with the origins allowed to use the attachments' bucket.
    pub origins_setting: &'static str,
}

impl Stage {
    /// Production: the names, addresses and values of the cdktf app.
    pub const PROD: Stage = Stage {
        name: "prod",
        stack: "kite",
        name_prefix: "",
        host_suffix: "",
        web_host: "",
        log_retention_days: 7,
        memory_mb: 128,
        protect_data: true,
        owns_account: true,
        from_cdktf: true,
        bot_token_setting: "TELEGRAM_BOT_TOKEN",
        origins_setting: "KITE_BUCKET_ORIGINS",
    };

    /// Development, beside production in the same account and zone.
    pub const DEV: Stage = Stage {
        name: "dev",
        stack: "kite-dev",
        name_prefix: "dev-",
        host_suffix: "-dev",
        web_host: "dev.",
        log_retention_days: 3,
        memory_mb: 128,
        protect_data: false,
        owns_account: false,
        from_cdktf: false,
        bot_token_setting: "TELEGRAM_DEV_BOT_TOKEN",
        origins_setting: "KITE_DEV_BUCKET_ORIGINS",
    };

    /// An account-scoped name of the stage: `ws-handler` in production,
    /// `dev-ws-handler` in development.
    pub fn named(&self, name: &str) -> String {
        format!("{}{name}", self.name_prefix)
    }

    /// A custom domain of the stage: `ws.<domain>`, `ws-dev.<domain>`.
    pub fn host(&self, first_label: &str, domain: &str) -> String {
        format!("{first_label}{}.{domain}", self.host_suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stages_share_no_name_nor_host() {
        assert_ne!(Stage::PROD.named("ws-api"), Stage::DEV.named("ws-api"));
        assert_eq!(Stage::PROD.named("ws-api"), "ws-api");
        assert_eq!(Stage::DEV.host("api", "k1te.chat"), "api-dev.k1te.chat");
        assert_eq!(Stage::PROD.host("api", "k1te.chat"), "api.k1te.chat");
        assert_ne!(Stage::PROD.stack, Stage::DEV.stack);
        assert_ne!(Stage::PROD.bot_token_setting, Stage::DEV.bot_token_setting);
    }
}
