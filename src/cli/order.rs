//! The order of a run over several stacks: each stack after every stack it
//! depends on (deploy, diff), or before them (destroy).
//!
//! Dependencies come from the manifest (`dependencies` of each stack): those
//! of the stacks synthesized in the run, and, for the others, what the
//! output's manifest remembers. A stack that is not selected is not run, but
//! it still orders the selected ones: with `c` needing `b` needing `a`,
//! `deploy a c` deploys `a` before `c`.

use std::collections::{BTreeMap, BTreeSet};

use crate::collections::{map_of, set_of};

/// Which way dependencies point in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// A stack after the stacks it depends on (deploy, diff).
    DependenciesFirst,
    /// A stack before the stacks it depends on (destroy).
    DependentsFirst,
}

/// The selected stacks in run order, and for each the selected stacks that
/// must have succeeded before it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Order {
    /// Names, in the order a run of one stack at a time takes them.
    pub sequence: Vec<String>,
    /// Stack → the selected stacks that run before it.
    pub after: BTreeMap<String, BTreeSet<String>>,
}

/// Orders `selected` (in the order the app defines them, which breaks
/// ties) by `dependencies` (stack → the stacks it depends on; it may name
/// stacks that are not selected, and need not list every stack): Kahn's
/// algorithm, over the relation "depends on, directly or through other
/// stacks". Destroy takes the same sequence backwards. Synthesis refuses
/// cycles between the stacks it builds, but a manifest written by another
/// run could still hold one: the stacks of a cycle are returned in an error.
pub(crate) fn order(
    selected: &[String],
    dependencies: &BTreeMap<String, Vec<String>>,
    direction: Direction,
) -> Result<Order, Vec<String>> {
    let chosen: BTreeSet<&str> = set_of(selected.iter().map(String::as_str));
    // For each selected stack, the selected stacks it depends on.
    let mut needs: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for stack in selected {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut todo: Vec<&str> = vec![stack];
        while let Some(next) = todo.pop() {
            for dep in dependencies.get(next).into_iter().flatten() {
                if seen.insert(dep) {
                    todo.push(dep);
                }
            }
        }
        seen.retain(|s| s != stack && chosen.contains(s));
        needs.insert(stack, seen);
    }
    // Kahn: take, in the app's order, the first stack whose dependencies
    // are all taken.
    let mut sequence: Vec<String> = Vec::with_capacity(selected.len());
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    while sequence.len() < selected.len() {
        let next = selected.iter().find(|s| {
            !taken.contains(s.as_str()) && needs[s.as_str()].iter().all(|d| taken.contains(d))
        });
        match next {
            Some(s) => {
                taken.insert(s);
                sequence.push(s.clone());
            }
            None => {
                return Err(selected
                    .iter()
                    .filter(|s| !taken.contains(s.as_str()))
                    .cloned()
                    .collect());
            }
        }
    }
    let mut after: BTreeMap<String, BTreeSet<String>> =
        map_of(selected.iter().map(|s| (s.clone(), BTreeSet::new())));
    for (stack, deps) in &needs {
        for dep in deps {
            let (first, then) = match direction {
                Direction::DependenciesFirst => (*dep, *stack),
                Direction::DependentsFirst => (*stack, *dep),
            };
            if let Some(set) = after.get_mut(then) {
                set.insert(first.to_owned());
            }
        }
    }
    if direction == Direction::DependentsFirst {
        sequence.reverse();
    }
    Ok(Order { sequence, after })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps(edges: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        edges
            .iter()
            .map(|(s, d)| (s.to_string(), d.iter().map(|d| d.to_string()).collect()))
            .collect()
    }

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn dependencies_run_first_and_destroy_reverses() {
        // kite-dev needs kite, kite needs build; local stands alone.
        let d = deps(&[("kite-dev", &["kite"]), ("kite", &["build"])]);
        let all = names(&["kite", "kite-dev", "local", "build"]);
        let deploy = order(&all, &d, Direction::DependenciesFirst).unwrap();
        assert_eq!(deploy.sequence, ["local", "build", "kite", "kite-dev"]);
        assert_eq!(
            deploy.after["kite-dev"],
            BTreeSet::from(["kite".to_owned(), "build".to_owned()])
        );
        assert!(deploy.after["local"].is_empty());
        let destroy = order(&all, &d, Direction::DependentsFirst).unwrap();
        assert_eq!(destroy.sequence, ["kite-dev", "kite", "build", "local"]);
        assert_eq!(
            destroy.after["build"],
            BTreeSet::from(["kite".to_owned(), "kite-dev".to_owned()])
        );
    }

    #[test]
    fn a_stack_not_selected_still_orders_the_others() {
        let d = deps(&[("c", &["b"]), ("b", &["a"])]);
        let run = order(&names(&["c", "a"]), &d, Direction::DependenciesFirst).unwrap();
        assert_eq!(run.sequence, ["a", "c"]);
        assert_eq!(run.after["c"], BTreeSet::from(["a".to_owned()]));
    }

    #[test]
    fn independent_stacks_keep_the_app_s_order_and_destroy_reverses_it() {
        let z_a_m = names(&["z", "a", "m"]);
        let run = order(&z_a_m, &BTreeMap::new(), Direction::DependenciesFirst).unwrap();
        assert_eq!(run.sequence, ["z", "a", "m"]);
        let run = order(&z_a_m, &BTreeMap::new(), Direction::DependentsFirst).unwrap();
        assert_eq!(run.sequence, ["m", "a", "z"]);
    }

    #[test]
    fn a_cycle_is_an_error_naming_its_stacks() {
        let d = deps(&[("a", &["b"]), ("b", &["a"])]);
        let err = order(&names(&["a", "b", "c"]), &d, Direction::DependenciesFirst).unwrap_err();
        assert_eq!(err, ["a", "b"]);
    }
}
