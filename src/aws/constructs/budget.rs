//! A monthly cost budget that e-mails when spending runs high.

use crate::construct::Scope;
use crate::stack::Stack;

use super::super::budgets::{
    BudgetsBudget, BudgetsBudgetArgs, BudgetsBudgetNotification, BudgetsBudgetNotificationArgs,
    BudgetsBudgetRef,
};

/// A budget of the account's monthly cost at `scope/<id>`, named `name`,
/// with e-mails to `emails` when actual spending passes 80% of `limit_usd`
/// and when the forecast for the month passes 100%.
#[derive(Clone, Debug)]
pub struct MonthlyBudget {
    budget: BudgetsBudgetRef,
}

impl MonthlyBudget {
    pub fn new(
        stack: &mut Stack,
        scope: &Scope,
        id: &str,
        name: &str,
        limit_usd: &str,
        emails: &[String],
    ) -> Self {
        let notify = |threshold: u32, kind: &str| {
            BudgetsBudgetNotification::new(BudgetsBudgetNotificationArgs {
                comparison_operator: "GREATER_THAN".into(),
                notification_type: kind.into(),
                threshold: threshold.into(),
                threshold_type: "PERCENTAGE".into(),
            })
            .subscriber_email_addresses(emails.to_vec())
        };
        let budget = stack.add(
            scope,
            id,
            BudgetsBudget::new(BudgetsBudgetArgs {
                budget_type: "COST".into(),
                time_unit: "MONTHLY".into(),
            })
            .name(name)
            .limit_amount(limit_usd)
            .limit_unit("USD")
            .notification(notify(80, "ACTUAL"))
            .notification(notify(100, "FORECASTED")),
        );
        MonthlyBudget { budget }
    }

    pub fn budget(&self) -> &BudgetsBudgetRef {
        &self.budget
    }
}
