//! Higher-level AWS constructs.
