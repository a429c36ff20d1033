//! Ordered maps and sorted lists built with less generic code.
//!
//! A release build optimizes the library's code twice (doc/adr/0011), and
//! std's sorts and trees are compiled again for every item type they are used
//! with. `collect()` into a `BTreeMap` sorts a vector of the pairs and builds
//! the tree from it: a stable sort and a bulk build for every pair type,
//! about 2,500 lines of LLVM IR each; a sort is about 1,500. Inserting one
//! pair (or item of a set) at a time shares the `insert` a map's other uses
//! compile anyway, and [`sort_by`] sorts indices, with one copy of the sort
//! for all item types. Both are for lists built or sorted once per command or
//! per stack (its findings, its blocks for a picture or for terraform's
//! diagnostics); the sorts done for every block's body in a synthesis stay
//! std's.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// The map of `pairs`; of equal keys, the last pair's value stays, as with
/// `collect()` (but the first key, which only shows for keys that compare
/// equal and still differ).
pub fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(pairs);
    map
}

/// The set of `items`, as `collect()` gives it.
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    set.extend(items);
    set
}

/// Sorts `items` by `compare`, stably, through one shared sort of indices.
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_indices(items.len(), &|a, b| compare(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// [`sort_by`] by a key, as `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// `0..len` in the order `compare` gives indices, equal ones as they were.
fn sorted_indices(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_map_as_collect() {
        let pairs = [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)];
        let collected: BTreeMap<_, _> = pairs.into_iter().collect();
        assert_eq!(map_of(pairs), collected);
        assert_eq!(map_of(pairs)["a"], 5);
        assert!(map_of(Vec::<(u8, u8)>::new()).is_empty());
        let items = ["b", "a", "b", "c"];
        assert_eq!(set_of(items), items.into_iter().collect::<BTreeSet<_>>());
    }

    #[test]
    fn sorts_as_std_does_and_keeps_equal_items_in_order() {
        let words = ["pear", "fig", "apple", "kiwi", "plum", "date", "", "fig"];
        let mut ours: Vec<(usize, &str)> = words.iter().copied().enumerate().collect();
        let mut std = ours.clone();
        sort_by_key(&mut ours, |(_, w)| w.len());
        std.sort_by_key(|(_, w)| w.len());
        assert_eq!(ours, std);
        sort_by(&mut ours, |a, b| b.1.cmp(a.1));
        std.sort_by(|a, b| b.1.cmp(a.1));
        assert_eq!(ours, std);
        let mut empty: Vec<String> = Vec::new();
        sort_by(&mut empty, Ord::cmp);
        assert!(empty.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn any_list_sorts_as_std_does(mut items in proptest::collection::vec((0u8..4, proptest::prelude::any::<u16>()), 0..64)) {
            let mut std = items.clone();
            std.sort_by_key(|i| i.0);
            sort_by_key(&mut items, |i| i.0);
            proptest::prop_assert_eq!(items, std);
        }
    }
}
