//! Sorting small index lists without the standard library's sorts, whose generic code is
//! about 15 KB of wasm per instantiation: insertion sort for the usual handful (tags of a
//! metric), heapsort for the rare long list. Neither is stable; callers whose keys can tie
//! break ties themselves.

/// Sorts a nearly sorted `v` by `key`: an insertion sort, linear when each item is only a
/// few places out (failed batches from a few concurrent workers, spans met almost in order).
///
/// ```
/// let mut v = [(2, 'b'), (1, 'a'), (3, 'c')];
/// librato_core::sort::insertion_sort_by_key(&mut v, |x| x.0);
/// assert_eq!(v, [(1, 'a'), (2, 'b'), (3, 'c')]);
/// ```
pub fn insertion_sort_by_key<T, K: PartialOrd>(v: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && key(&v[j]) < key(&v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Sorts `v` by `less` (a `dyn` so that all callers share one copy of this code).
pub fn sort_indices(v: &mut [usize], less: &dyn Fn(usize, usize) -> bool) {
    if v.len() <= 16 {
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && less(v[j], v[j - 1]) {
                v.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    // Heapsort: build a max-heap, then move the largest to the end repeatedly.
    let sift_down = |v: &mut [usize], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(v[child], v[child + 1]) {
            child += 1;
        }
        if !less(v[root], v[child]) {
            break;
        }
        v.swap(root, child);
        root = child;
    };
    for start in (0..v.len() / 2).rev() {
        sift_down(v, start, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_indices_matches_a_library_sort() {
        // Small (insertion) and large (heap) inputs, against std's sort.
        let mut seed = 7u64;
        for n in [0, 1, 2, 5, 16, 17, 40, 300] {
            let keys: Vec<String> = (0..n)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    format!("{:x}-{i}", seed >> 40)
                })
                .collect();
            let mut got: Vec<usize> = (0..n).collect();
            sort_indices(&mut got, &|a, b| keys[a] < keys[b]);
            let mut want: Vec<usize> = (0..n).collect();
            want.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
            assert_eq!(got, want, "n = {n}");
        }
    }
}
