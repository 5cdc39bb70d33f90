//! The draw: a stratified random sample, uniform within each stratum and without
//! replacement, from a recorded seed, so that anyone can re-run it and get the same cases.
//!
//! Only the generator's raw output is used (ChaCha20, whose stream is fixed across versions
//! and platforms); the sampling arithmetic is ours, so a change in `rand`'s distribution code
//! can never change a recorded draw.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Recorded with every draw: the generator and how the seed is used.
pub const GENERATOR: &str =
    "ChaCha20 (rand_chacha), 256-bit seed; stream 0 for the draw, stream n for replacement n";

/// A 256-bit seed, shown to the QA Manager as 64 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Seed(pub [u8; 32]);

impl Seed {
    pub fn to_hex(self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn parse_hex(raw: &str) -> Option<Seed> {
        let raw = raw.trim();
        if raw.len() != 64 || !raw.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&raw[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Seed(bytes))
    }
}

/// One stratum: its label (e.g. "List 7 / Child Protection and Court"), how many to take,
/// and the eligible case IDs as they stood at the draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stratum {
    pub label: String,
    pub quota: usize,
    pub pool: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumDraw {
    pub label: String,
    pub quota: usize,
    /// Eligible when this stratum's turn came (cases already drawn for an earlier stratum
    /// are not eligible again).
    pub eligible: usize,
    pub selected: Vec<i64>,
}

impl StratumDraw {
    /// Fewer eligible cases than the quota: all were taken.
    pub fn short(&self) -> bool {
        self.eligible < self.quota
    }
}

/// A uniform integer in `0..n` from raw generator output, by rejection (no modulo bias).
fn uniform_below(rng: &mut ChaCha20Rng, n: u64) -> u64 {
    debug_assert!(n > 0);
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

/// Takes `k` of `pool` uniformly without replacement: a partial Fisher–Yates shuffle.
fn sample(rng: &mut ChaCha20Rng, mut pool: Vec<i64>, k: usize) -> Vec<i64> {
    let k = k.min(pool.len());
    for i in 0..k {
        let j = i + uniform_below(rng, (pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool
}

/// The pool's distinct IDs in ascending order, less `excluded`. Sorting first means the
/// order cases were listed in never changes a draw.
fn eligible(pool: &[i64], excluded: &BTreeSet<i64>) -> Vec<i64> {
    let distinct: BTreeSet<i64> = pool.iter().copied().collect();
    distinct
        .into_iter()
        .filter(|id| !excluded.contains(id))
        .collect()
}

/// Draws every stratum in the order given. Pools are sorted first, so the order cases were
/// listed in never changes the result; a case drawn for one stratum is skipped by later ones.
pub fn draw(strata: &[Stratum], seed: Seed) -> Vec<StratumDraw> {
    let mut rng = ChaCha20Rng::from_seed(seed.0);
    let mut taken = BTreeSet::new();
    strata
        .iter()
        .map(|stratum| {
            let eligible = eligible(&stratum.pool, &taken);
            let count = eligible.len();
            let selected = sample(&mut rng, eligible, stratum.quota);
            taken.extend(selected.iter().copied());
            StratumDraw {
                label: stratum.label.clone(),
                quota: stratum.quota,
                eligible: count,
                selected,
            }
        })
        .collect()
}

/// Draws replacement number `n` (from 1) for a withdrawn case: uniform over the stratum's
/// recorded pool less every case the round already holds or has withdrawn. `None` when no
/// eligible case is left.
pub fn replacement(
    pool: &[i64],
    in_round_or_withdrawn: &BTreeSet<i64>,
    seed: Seed,
    n: u64,
) -> Option<i64> {
    let eligible = eligible(pool, in_round_or_withdrawn);
    if eligible.is_empty() {
        return None;
    }
    let mut rng = ChaCha20Rng::from_seed(seed.0);
    rng.set_stream(n);
    Some(eligible[uniform_below(&mut rng, eligible.len() as u64) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(n: u8) -> Seed {
        Seed([n; 32])
    }

    fn stratum(label: &str, quota: usize, pool: impl IntoIterator<Item = i64>) -> Stratum {
        Stratum {
            label: label.into(),
            quota,
            pool: pool.into_iter().collect(),
        }
    }

    #[test]
    fn same_pool_settings_and_seed_give_the_same_sample() {
        let strata = vec![
            stratum("List 6", 5, 1..=200),
            stratum("List 7", 3, 201..=260),
        ];
        assert_eq!(draw(&strata, seed(7)), draw(&strata, seed(7)));
        assert_ne!(draw(&strata, seed(7)), draw(&strata, seed(8)));
    }

    #[test]
    fn the_order_cases_were_listed_in_does_not_matter() {
        let forward = vec![stratum("List 8", 4, 1..=50)];
        let backward = vec![stratum("List 8", 4, (1..=50).rev())];
        assert_eq!(draw(&forward, seed(1)), draw(&backward, seed(1)));
    }

    /// Pins generator and sampling together, as recorded on 2026-11-30: if this ever changes,
    /// draws recorded before the change could no longer be verified.
    #[test]
    fn known_answer() {
        let result = draw(&[stratum("List 6", 4, 1..=100)], seed(42));
        assert_eq!(result[0].selected, [33, 14, 41, 63]);
    }

    #[test]
    fn quota_smaller_than_the_pool_takes_distinct_cases_from_it() {
        let result = draw(&[stratum("List 2", 10, 1..=30)], seed(3));
        let chosen: BTreeSet<i64> = result[0].selected.iter().copied().collect();
        assert_eq!(chosen.len(), 10);
        assert!(chosen.iter().all(|id| (1..=30).contains(id)));
        assert!(!result[0].short());
    }

    #[test]
    fn quota_larger_than_the_pool_takes_them_all_and_says_so() {
        let result = draw(&[stratum("List 9", 10, [5, 3, 9])], seed(3));
        let mut chosen = result[0].selected.clone();
        chosen.sort();
        assert_eq!(chosen, vec![3, 5, 9]);
        assert!(result[0].short());
        assert_eq!(result[0].eligible, 3);
    }

    #[test]
    fn empty_pool_and_zero_quota_take_nothing() {
        let result = draw(
            &[stratum("List 7", 3, []), stratum("List 8", 0, 1..=10)],
            seed(1),
        );
        assert!(result[0].selected.is_empty() && result[0].short());
        assert!(result[1].selected.is_empty() && !result[1].short());
    }

    #[test]
    fn a_case_on_two_lists_is_drawn_at_most_once() {
        // Both strata hold the same three cases; quotas add up to more than three.
        let result = draw(
            &[
                stratum("List 6", 2, [1, 2, 3]),
                stratum("List 7", 2, [1, 2, 3]),
            ],
            seed(9),
        );
        let all: Vec<i64> = result.iter().flat_map(|r| r.selected.clone()).collect();
        assert_eq!(all.len(), 3);
        assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 3);
        assert_eq!(result[1].eligible, 1);
    }

    /// Over many seeded draws every case is chosen about equally often: a chi-squared test.
    #[test]
    fn sampling_is_uniform_within_a_stratum() {
        let (pool, quota, draws) = (20usize, 5usize, 20_000u32);
        let mut counts = vec![0u32; pool];
        for i in 0..draws {
            let mut bytes = [0u8; 32];
            bytes[..4].copy_from_slice(&i.to_le_bytes());
            for id in &draw(&[stratum("s", quota, 0..pool as i64)], Seed(bytes))[0].selected {
                counts[*id as usize] += 1;
            }
        }
        let expected = f64::from(draws) * quota as f64 / pool as f64;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (f64::from(c) - expected).powi(2) / expected)
            .sum();
        // 19 degrees of freedom: the 99.9th percentile is 43.8.
        assert!(chi2 < 43.8, "chi-squared {chi2:.1} over {counts:?}");
    }

    #[test]
    fn uniform_below_has_no_modulo_bias_at_the_edges() {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            counts[uniform_below(&mut rng, 3) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
        assert_eq!(uniform_below(&mut rng, 1), 0);
    }

    #[test]
    fn replacements_are_reproducible_and_never_repeat_the_round() {
        let pool: Vec<i64> = (1..=10).collect();
        let held: BTreeSet<i64> = [1, 2, 3].into();
        let first = replacement(&pool, &held, seed(5), 1).unwrap();
        assert!(!held.contains(&first) && pool.contains(&first));
        assert_eq!(replacement(&pool, &held, seed(5), 1), Some(first));
        let all: BTreeSet<i64> = pool.iter().copied().collect();
        assert_eq!(replacement(&pool, &all, seed(5), 2), None);
        let all_but_7: BTreeSet<i64> = pool.iter().copied().filter(|id| *id != 7).collect();
        assert_eq!(replacement(&pool, &all_but_7, seed(5), 3), Some(7));
    }

    #[test]
    fn seeds_round_trip_through_hex() {
        let s = Seed([0xab; 32]);
        assert_eq!(s.to_hex().len(), 64);
        assert_eq!(Seed::parse_hex(&s.to_hex()), Some(s));
        assert_eq!(Seed::parse_hex("ab"), None);
        assert_eq!(Seed::parse_hex(&"zz".repeat(32)), None);
    }
}
