//! The one hash of names that Clinrule computes itself: 64-bit FNV-1a,
//! simple, fast on short identifiers, and the same in every run. The checker
//! finds repeated identifiers with it, and the fast case reader looks up fact
//! names with it, hashing as it reads.

/// The hash of nothing, where every hash starts.
pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// The hash after one more byte.
#[inline]
pub fn fnv1a_step(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
}

/// The hash of some bytes.
#[inline]
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(FNV_START, |hash, byte| fnv1a_step(hash, *byte))
}
