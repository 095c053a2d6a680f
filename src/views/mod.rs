//! Read models assembled from the store for more than one caller: the AI register
//! ([`register`]) and the weekly digest's content ([`digest`]). They depend on `storage` and
//! `domain` only, so `chat` (which shows them) and `jobs` (which sends them) can both use them.

pub mod digest;
pub mod register;
