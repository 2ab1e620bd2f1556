//! Sizes given by callers (numbers of areas, age groups, steps, ages): counted with checked
//! arithmetic and reserved without aborting, so that a size too large for the machine is an
//! [`Error::TooLarge`] instead of an overflow panic (debug builds), a wrapped count (release
//! builds) or an abort on a failed allocation.

use crate::error::{Error, Result};

/// The product of `factors` (e.g. areas × 2 sexes × age groups).
///
/// # Errors
///
/// [`Error::TooLarge`] naming the factors when the product does not fit a `usize`.
pub(crate) fn product(what: &'static str, factors: &[usize]) -> Result<usize> {
    factors
        .iter()
        .try_fold(1_usize, |acc, &factor| acc.checked_mul(factor))
        .ok_or_else(|| Error::TooLarge {
            what,
            size: factors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" x "),
            problem: format!("the count overflows a {}-bit number", usize::BITS),
        })
}

/// `last + 1`: the number of ages `0..=last` (or of any positions up to `last`).
///
/// # Errors
///
/// [`Error::TooLarge`] when `last` is the largest `usize`.
pub(crate) fn through(what: &'static str, last: usize) -> Result<usize> {
    last.checked_add(1).ok_or_else(|| Error::TooLarge {
        what,
        size: format!("0 ..= {last}"),
        problem: format!("the count overflows a {}-bit number", usize::BITS),
    })
}

/// An empty vector with room for exactly `len` items.
///
/// # Errors
///
/// [`Error::TooLarge`] naming `len` and the bytes asked for when the memory cannot be
/// reserved (more than the address space, or than the system will give).
pub(crate) fn with_capacity<T>(what: &'static str, len: usize) -> Result<Vec<T>> {
    let mut vec = Vec::new();
    vec.try_reserve_exact(len).map_err(|_| Error::TooLarge {
        what,
        size: len.to_string(),
        // u128: the product of two usize values below 2^64 fits.
        problem: format!(
            "{} bytes of memory could not be reserved",
            len as u128 * std::mem::size_of::<T>() as u128
        ),
    })?;
    Ok(vec)
}

/// `len` copies of `value`.
///
/// # Errors
///
/// As [`with_capacity`].
pub(crate) fn filled<T: Clone>(what: &'static str, len: usize, value: T) -> Result<Vec<T>> {
    let mut vec = with_capacity(what, len)?;
    vec.resize(len, value);
    Ok(vec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_that_overflow_name_their_factors() {
        assert_eq!(product("cells", &[3, 2, 101]).unwrap(), 606);
        assert_eq!(product("cells", &[]).unwrap(), 1);
        let err = product("cells", &[1, 2, usize::MAX]).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::TooLarge { .. }));
        assert!(text.contains(&format!("1 x 2 x {}", usize::MAX)), "{text}");
        assert!(through("ages", usize::MAX).is_err());
        assert_eq!(through("ages", 100).unwrap(), 101);
    }

    #[test]
    fn memory_that_cannot_be_had_is_an_error_not_an_abort() {
        // 2^61 f64 = 2^64 bytes: more than any address space.
        let err = filled("cells", 1 << 61, 0.0_f64).unwrap_err();
        assert!(
            err.to_string().contains("18446744073709551616 bytes"),
            "{err}"
        );
        // 2^46 f64 = 512 TiB: more than a 47-bit (x86-64) or 48-bit (AArch64) user space.
        assert!(filled("cells", 1 << 46, 0.0_f64).is_err());
        assert_eq!(filled("cells", 3, 1.5_f64).unwrap(), vec![1.5; 3]);
        assert_eq!(with_capacity::<u8>("bytes", 10).unwrap().capacity(), 10);
    }
}
