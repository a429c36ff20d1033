//! Random expressions for property tests (test builds only).

use proptest::prelude::*;

use super::Expr;
use crate::address::Address;

/// Short texts full of what templates and JSON escape.
pub(crate) fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!["$", "%", "{", "}", "$${", "a", "é", "\""]),
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

/// Expressions of every kind, nested up to three levels.
pub(crate) fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        Just(Expr::Null),
        any::<bool>().prop_map(Expr::Bool),
        any::<i32>().prop_map(|n| Expr::Num(n.into())),
        text().prop_map(Expr::Str),
        "[a-z]{1,3}".prop_map(|name| Expr::reference(Address::resource("aws_x", name))),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expr::List),
            prop::collection::vec((text(), inner.clone()), 0..4)
                .prop_map(|fields| Expr::Object(fields.into_iter().collect())),
            // Built directly, not through `Expr::template`: literal
            // parts may sit side by side, or make up the whole.
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expr::Template),
            inner.clone().prop_map(|e| e.attr("id")),
            prop::collection::vec(inner, 0..2).prop_map(|args| Expr::call("f", args)),
        ]
    })
}
