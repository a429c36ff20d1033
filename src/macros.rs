//! Declaring typed Terraform types.
//!
//! Each resource, data source and nested block is declared once, in the
//! module of its service, with its arguments in the provider schema's own
//! words:
//!
//! ```
//! use kite::expr::{Arn, Map};
//!
//! kite::resource! {
//!     /// `aws_sqs_queue`
//!     pub struct SqsQueue("aws_sqs_queue", provider = kite::aws::PROVIDER, taggable = true) -> SqsQueueRef {
//!         required { name: String }
//!         optional { delay_seconds: kite::expr::Number, tags: Map<String> }
//!         attributes { arn: Arn, url: String }
//!     }
//! }
//! let queue = SqsQueue::new("jobs").delay_seconds(5);
//! # let _ = queue;
//! ```
//!
//! Outside kite, the crate that declares types needs `serde` (with the
//! `derive` feature) among its dependencies: the declarations derive
//! `serde::Serialize`.
//!
//! The sections, in this order, each optional:
//! - `required { name: T }`: `Tf<T>` arguments the constructor demands;
//! - `required_blocks { name: Block }`: nested blocks the constructor demands;
//! - `optional { name: T }`: `Tf<T>` arguments, each with a setter;
//! - `blocks { name: Block }`: nested blocks written once (max one item);
//! - `repeated { name: Block }`: nested blocks written as a list; the setter adds one;
//! - `attributes { name: T }` (resources and data sources only): what the
//!   handle returned by `Stack::add` can read, as `Tf<T>`.

/// A value of every argument: what the schema-coverage test builds each
/// typed block with, so that every setter's name and shape is checked
/// against the provider schema.
#[doc(hidden)]
pub trait Example {
    fn example() -> Self;
}

impl Example for crate::expr::Tf<String> {
    fn example() -> Self {
        "example-1".into()
    }
}

impl Example for crate::expr::Tf<crate::expr::Number> {
    fn example() -> Self {
        1.into()
    }
}

impl Example for crate::expr::Tf<bool> {
    fn example() -> Self {
        true.into()
    }
}

impl Example for crate::expr::Tf<crate::expr::Arn> {
    fn example() -> Self {
        crate::expr::Tf::<crate::expr::Arn>::literal("arn:aws:iam::123456789012:role/example-1")
    }
}

impl Example for crate::expr::Tf<crate::expr::Any> {
    fn example() -> Self {
        crate::expr::Tf::from_expr(crate::expr::Expr::Str("example-1".into()))
    }
}

impl<T> Example for crate::expr::Tf<crate::expr::List<T>>
where
    crate::expr::Tf<T>: Example,
{
    fn example() -> Self {
        vec![crate::expr::Tf::<T>::example()].into()
    }
}

impl<T> Example for crate::expr::Tf<crate::expr::Set<T>>
where
    crate::expr::Tf<T>: Example,
{
    fn example() -> Self {
        vec![crate::expr::Tf::<T>::example()].into()
    }
}

impl<T> Example for crate::expr::Tf<crate::expr::Map<T>>
where
    crate::expr::Tf<T>: Example,
{
    fn example() -> Self {
        [("key", crate::expr::Tf::<T>::example())].into()
    }
}

/// Strips the `r#` of a raw identifier (`r#type` → `type`).
#[doc(hidden)]
pub fn field_name(name: &'static str) -> &'static str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// Declares the struct of a Terraform block: fields, constructor, setters.
#[doc(hidden)]
#[macro_export]
macro_rules! __kite_block_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( required { $( $(#[$rmeta:meta])* $rfield:ident : $rty:ty ),* $(,)? } )?
            $( required_blocks { $( $(#[$qmeta:meta])* $qfield:ident : $qty:ty ),* $(,)? } )?
            $( optional { $( $(#[$ometa:meta])* $ofield:ident : $oty:ty ),* $(,)? } )?
            $( blocks { $( $(#[$bmeta:meta])* $bfield:ident : $bty:ty ),* $(,)? } )?
            $( repeated { $( $(#[$lmeta:meta])* $lfield:ident : $lty:ty ),* $(,)? } )?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, ::serde::Serialize)]
        $vis struct $name {
            $($( $rfield: $crate::expr::Tf<$rty>, )*)?
            $($( $qfield: $qty, )*)?
            $($(
                #[serde(skip_serializing_if = "Option::is_none")]
                $ofield: ::std::option::Option<$crate::expr::Tf<$oty>>,
            )*)?
            $($(
                #[serde(skip_serializing_if = "Option::is_none")]
                $bfield: ::std::option::Option<$bty>,
            )*)?
            $($(
                #[serde(skip_serializing_if = "Vec::is_empty")]
                $lfield: ::std::vec::Vec<$lty>,
            )*)?
        }

        #[allow(
            clippy::new_without_default,
            clippy::too_many_arguments,
            clippy::should_implement_trait
        )]
        impl $name {
            /// A new block with its required arguments; set the optional ones
            /// with the methods of the same names.
            pub fn new(
                $($( $rfield: impl ::std::convert::Into<$crate::expr::Tf<$rty>>, )*)?
                $($( $qfield: $qty, )*)?
            ) -> Self {
                Self {
                    $($( $rfield: $rfield.into(), )*)?
                    $($( $qfield, )*)?
                    $($( $ofield: None, )*)?
                    $($( $bfield: None, )*)?
                    $($( $lfield: ::std::vec::Vec::new(), )*)?
                }
            }

            $($(
                $(#[$ometa])*
                pub fn $ofield(mut self, value: impl ::std::convert::Into<$crate::expr::Tf<$oty>>) -> Self {
                    self.$ofield = Some(value.into());
                    self
                }
            )*)?

            $($(
                $(#[$bmeta])*
                pub fn $bfield(mut self, block: $bty) -> Self {
                    self.$bfield = Some(block);
                    self
                }
            )*)?

            $($(
                $(#[$lmeta])*
                pub fn $lfield(mut self, block: $lty) -> Self {
                    self.$lfield.push(block);
                    self
                }
            )*)?
        }

        impl $crate::macros::Example for $name {
            /// Every argument and block set, for the schema-coverage test.
            fn example() -> Self {
                Self {
                    $($( $rfield: <$crate::expr::Tf<$rty> as $crate::macros::Example>::example(), )*)?
                    $($( $qfield: <$qty as $crate::macros::Example>::example(), )*)?
                    $($( $ofield: Some(<$crate::expr::Tf<$oty> as $crate::macros::Example>::example()), )*)?
                    $($( $bfield: Some(<$bty as $crate::macros::Example>::example()), )*)?
                    $($( $lfield: vec![<$lty as $crate::macros::Example>::example()], )*)?
                }
            }
        }
    };
}

/// Declares a nested block type (see the [module documentation](crate::macros)).
#[macro_export]
macro_rules! nested_block {
    ($($body:tt)*) => { $crate::__kite_block_struct! { $($body)* } };
}

/// Declares the handle of a block: what other blocks can read of it.
#[doc(hidden)]
#[macro_export]
macro_rules! __kite_handle {
    (
        $vis:vis $handle:ident ($tf_type:literal) {
            $( $(#[$ameta:meta])* $afield:ident : $aty:ty ),* $(,)?
        }
    ) => {
        #[doc = concat!("A handle to a declared `", $tf_type, "`: its attributes as typed expressions.")]
        #[derive(Clone, Debug)]
        $vis struct $handle {
            block: $crate::block::BlockRef,
        }

        impl ::std::convert::From<$crate::block::BlockRef> for $handle {
            fn from(block: $crate::block::BlockRef) -> Self {
                Self { block }
            }
        }

        impl $crate::block::Handle for $handle {
            fn block_ref(&self) -> &$crate::block::BlockRef {
                &self.block
            }
        }

        impl $handle {
            $(
                $(#[$ameta])*
                pub fn $afield(&self) -> $crate::expr::Tf<$aty> {
                    self.block.attr($crate::macros::field_name(stringify!($afield)))
                }
            )*
        }
    };
}

/// Declares a resource type (see the [module documentation](crate::macros)).
#[macro_export]
macro_rules! resource {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident ($tf_type:literal, provider = $provider:path $(, taggable = $taggable:literal)?) -> $handle:ident {
            $($section:ident { $($fields:tt)* })*
        }
    ) => {
        $crate::__kite_typed_block! {
            @split resource $(#[$meta])* $vis $name $tf_type $provider [$($taggable)?] $handle
            [] [] $($section { $($fields)* })*
        }
    };
}

/// Declares a data source type (see the [module documentation](crate::macros)).
#[macro_export]
macro_rules! data_source {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident ($tf_type:literal, provider = $provider:path) -> $handle:ident {
            $($section:ident { $($fields:tt)* })*
        }
    ) => {
        $crate::__kite_typed_block! {
            @split data $(#[$meta])* $vis $name $tf_type $provider [false] $handle
            [] [] $($section { $($fields)* })*
        }
    };
}

/// Splits the `attributes` section off the others, then declares the
/// struct, its handle and its trait implementation.
#[doc(hidden)]
#[macro_export]
macro_rules! __kite_typed_block {
    (@split $kind:ident $(#[$meta:meta])* $vis:vis $name:ident $tf_type:literal $provider:path [$($taggable:literal)?] $handle:ident
        [$($sections:tt)*] [$($attrs:tt)*] attributes { $($a:tt)* } $($rest:tt)*) => {
        $crate::__kite_typed_block! {
            @split $kind $(#[$meta])* $vis $name $tf_type $provider [$($taggable)?] $handle
            [$($sections)*] [$($a)*] $($rest)*
        }
    };
    (@split $kind:ident $(#[$meta:meta])* $vis:vis $name:ident $tf_type:literal $provider:path [$($taggable:literal)?] $handle:ident
        [$($sections:tt)*] [$($attrs:tt)*] $section:ident { $($f:tt)* } $($rest:tt)*) => {
        $crate::__kite_typed_block! {
            @split $kind $(#[$meta])* $vis $name $tf_type $provider [$($taggable)?] $handle
            [$($sections)* $section { $($f)* }] [$($attrs)*] $($rest)*
        }
    };
    (@split $kind:ident $(#[$meta:meta])* $vis:vis $name:ident $tf_type:literal $provider:path [$($taggable:literal)?] $handle:ident
        [$($sections:tt)*] [$($attrs:tt)*]) => {
        $crate::__kite_block_struct! {
            $(#[$meta])*
            #[doc = ""]
            #[doc = concat!("Terraform type: `", $tf_type, "`.")]
            $vis struct $name { $($sections)* }
        }
        $crate::__kite_handle! { $vis $handle ($tf_type) { $($attrs)* } }
        $crate::__kite_typed_block! { @impl $kind $name $tf_type $provider [$($taggable)?] $handle }
    };
    (@impl resource $name:ident $tf_type:literal $provider:path [$($taggable:literal)?] $handle:ident) => {
        impl $crate::block::Resource for $name {
            const TYPE: &'static str = $tf_type;
            const PROVIDER: $crate::provider::ProviderRequirement = $provider;
            const TAGGABLE: bool = false $(|| $taggable)?;
            type Ref = $handle;
        }
    };
    (@impl data $name:ident $tf_type:literal $provider:path [$($taggable:literal)?] $handle:ident) => {
        impl $crate::block::DataSource for $name {
            const TYPE: &'static str = $tf_type;
            const PROVIDER: $crate::provider::ProviderRequirement = $provider;
            type Ref = $handle;
        }
    };
}
