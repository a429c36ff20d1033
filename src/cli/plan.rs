//! What a saved plan changes, from `terraform show -json <plan>`.
//!
//! Counted as terraform counts in "Plan: 1 to add, 0 to change, 0 to
//! destroy": a replacement is one to add and one to destroy (and is counted
//! on its own too).

use std::fmt;

use serde_json::Value;

/// The changes of a plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Changes {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    /// Replacements, also counted in `add` and `destroy`.
    pub replace: usize,
    pub import: usize,
    /// Objects removed from the state and left where they are (`removed`
    /// blocks).
    pub forget: usize,
    /// Root outputs whose value changes.
    pub outputs: usize,
}

impl Changes {
    /// Reads `terraform show -json` of a plan; `None` when it is not one.
    pub fn from_show_json(bytes: &[u8]) -> Option<Changes> {
        let plan: Value = serde_json::from_slice(bytes).ok()?;
        let plan = plan.as_object()?;
        let mut changes = Changes::default();
        for rc in plan
            .get("resource_changes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let change = &rc["change"];
            let actions: Vec<&str> = change["actions"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            match actions.as_slice() {
                ["create"] => changes.add += 1,
                ["update"] => changes.change += 1,
                ["delete"] => changes.destroy += 1,
                ["delete", "create"] | ["create", "delete"] => {
                    changes.replace += 1;
                    changes.add += 1;
                    changes.destroy += 1;
                }
                ["forget"] => changes.forget += 1,
                _ => {}
            }
            if change.get("importing").is_some_and(|i| !i.is_null()) {
                changes.import += 1;
            }
        }
        changes.outputs = plan
            .get("output_changes")
            .and_then(Value::as_object)
            .map(|outputs| {
                outputs
                    .values()
                    .filter(|o| {
                        o["actions"]
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x != "no-op"))
                    })
                    .count()
            })
            .unwrap_or(0);
        Some(changes)
    }

    /// Whether applying the plan would change anything (resources, the
    /// state's objects, or outputs).
    pub fn any(&self) -> bool {
        self.add + self.change + self.destroy + self.import + self.forget + self.outputs > 0
    }
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to add, {} to change, {} to destroy",
            self.add, self.change, self.destroy
        )?;
        let extra: Vec<String> = [
            (self.replace, "replaced"),
            (self.import, "imported"),
            (self.forget, "forgotten"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if !extra.is_empty() {
            write!(f, " ({})", extra.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_counted_as_terraform_counts_them() {
        let show = br#"{
          "format_version": "1.2",
          "resource_changes": [
            {"address": "a.a", "change": {"actions": ["create"]}},
            {"address": "a.b", "change": {"actions": ["update"]}},
            {"address": "a.c", "change": {"actions": ["delete", "create"]}},
            {"address": "a.d", "change": {"actions": ["no-op"], "importing": {"id": "x"}}},
            {"address": "a.e", "change": {"actions": ["delete"]}},
            {"address": "data.a.f", "change": {"actions": ["read"]}},
            {"address": "a.g", "change": {"actions": ["forget"]}}
          ],
          "output_changes": {"u": {"actions": ["create"]}, "v": {"actions": ["no-op"]}}
        }"#;
        let changes = Changes::from_show_json(show).unwrap();
        assert_eq!(
            changes,
            Changes {
                add: 2,
                change: 1,
                destroy: 2,
                replace: 1,
                import: 1,
                forget: 1,
                outputs: 1,
            }
        );
        assert_eq!(
            changes.to_string(),
            "2 to add, 1 to change, 2 to destroy (1 replaced, 1 imported, 1 forgotten)"
        );
        assert!(changes.any());
    }

    #[test]
    fn a_plan_without_changes_has_none() {
        let changes = Changes::from_show_json(br#"{"format_version": "1.2"}"#).unwrap();
        assert!(!changes.any());
        assert_eq!(changes.to_string(), "0 to add, 0 to change, 0 to destroy");
        assert_eq!(Changes::from_show_json(b"not json"), None);
    }
}
