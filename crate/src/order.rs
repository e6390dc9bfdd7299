//! Sorting through two shared copies of the standard library's sort.
//!
//! Every `sort`, `sort_by_key` or `collect::<BTreeSet<_>>()` on a new element
//! type (or with a new closure) compiles another copy of the sort, 5–8 KB of
//! WASM each; the crate had thirteen. Code that sorts calls these helpers
//! instead, so the shipped module holds two: `u64`s, and indices ordered by a
//! `(u64, u64)` key (README "Size" has the measurement).
//!
//! Both are deterministic: equal `u64`s are indistinguishable, and `order_by`
//! breaks ties by index, as a stable sort would.

/// Sorts integers ascending, in place.
pub fn sort_u64(values: &mut [u64]) {
    values.sort_unstable();
}

/// Sorted and without repeats, for `contains` by binary search (a set without
/// `BTreeSet`'s own copy of the sort).
pub fn sorted_set(mut values: Vec<u64>) -> Vec<u64> {
    sort_u64(&mut values);
    values.dedup();
    values
}

/// The indices `0..keys.len()` in ascending key order; equal keys keep their
/// index order (what a stable sort of the items by these keys gives).
pub fn order_by(keys: &[(u64, u64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
    order
}

/// `items` rearranged into `order` (a permutation of their indices, as
/// `order_by` returns).
pub fn permute<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    debug_assert_eq!(items.len(), order.len());
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| slots[i].take()).collect()
}

/// Sorts floats ascending in `f64::total_cmp`'s order (−NaN < −∞ < … < −0 <
/// +0 < … < +∞ < +NaN) by sorting their order-preserving `u64` images.
pub fn sort_f64(values: &mut [f64]) {
    let mut keys: Vec<u64> = values.iter().map(|&v| total_order_key(v)).collect();
    sort_u64(&mut keys);
    for (v, k) in values.iter_mut().zip(keys) {
        *v = from_total_order_key(k);
    }
}

/// Negative floats have their bits inverted (so a larger magnitude sorts
/// lower), positive ones their sign bit set (so they sort above every negative).
fn total_order_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

fn from_total_order_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_f64_matches_total_cmp_bit_for_bit() {
        let mut values = vec![3.5, -0.0, f64::NAN, 0.0, -f64::INFINITY, -2.25, f64::INFINITY, -f64::NAN, 1e-310, -1e-310, 3.5, 7.0];
        let mut expected = values.clone();
        expected.sort_by(f64::total_cmp);
        sort_f64(&mut values);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&values), bits(&expected));
    }

    #[test]
    fn order_by_is_a_stable_sort() {
        let items = ["c1", "a1", "b1", "a2", "c2", "a3"];
        let keys: Vec<(u64, u64)> = items.iter().map(|s| (u64::from(s.as_bytes()[0]), 0)).collect();
        let order = order_by(&keys);
        assert_eq!(permute(items.to_vec(), &order), ["a1", "a2", "a3", "b1", "c1", "c2"]);
        let mut expected = items.to_vec();
        expected.sort_by_key(|s| s.as_bytes()[0]);
        assert_eq!(permute(items.to_vec(), &order), expected);
    }

    #[test]
    fn order_by_compares_the_second_key_after_the_first() {
        let keys = [(2, 1), (1, 9), (2, 0), (1, 3)];
        assert_eq!(order_by(&keys), [3, 1, 2, 0]);
    }

    #[test]
    fn sorted_set_drops_repeats() {
        assert_eq!(sorted_set(vec![5, 1, 5, 3, 1]), [1, 3, 5]);
        assert!(sorted_set(vec![]).is_empty());
    }
}
