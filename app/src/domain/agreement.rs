//! Agreement between auditors' grades and moderated grades, for the moderation results
//! page: the grade-to-grade table, the share left unchanged, which way changes went, and
//! quadratic-weighted Cohen's kappa with a large-sample 95 % interval. No I/O.

use super::audit::Grade;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Below this many pairs kappa's large-sample interval means little, so none is given.
pub const MIN_PAIRS: usize = 10;

/// The normal quantile for a two-sided 95 % interval.
const Z95: f64 = 1.96;

/// A standard error below this is rounding noise where the formula gives exactly zero.
const ZERO_SE: f64 = 1e-9;

/// One grade before and after moderation (for one audit's domain, or its overall grade).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pair {
    /// The auditor's grade.
    pub original: Grade,
    /// The grade moderation settled on.
    pub moderated: Grade,
}

/// A grade's place in `Grade::ALL`: 0 is Outstanding, so a lower index is a better grade.
pub fn index(g: Grade) -> usize {
    match g {
        Grade::Outstanding => 0,
        Grade::Good => 1,
        Grade::RequiresImprovement => 2,
        Grade::Inadequate => 3,
    }
}

/// Counts of pairs: rows are the auditor's grade, columns the moderated grade, both in
/// `Grade::ALL` order.
pub fn table(pairs: &[Pair]) -> [[usize; 4]; 4] {
    let mut t = [[0; 4]; 4];
    for p in pairs {
        t[index(p.original)][index(p.moderated)] += 1;
    }
    t
}

/// How many grades moderation left as they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub agreed: usize,
    pub total: usize,
}

impl Share {
    /// 0 to 100, unrounded.
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        self.agreed as f64 * 100.0 / self.total as f64
    }
}

/// The share of pairs whose grade moderation kept; `None` when there are no pairs.
pub fn agreement(pairs: &[Pair]) -> Option<Share> {
    if pairs.is_empty() {
        return None;
    }
    Some(Share {
        agreed: pairs.iter().filter(|p| p.original == p.moderated).count(),
        total: pairs.len(),
    })
}

/// Which way moderation moved grades.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// Moderated to a better grade (towards Outstanding).
    pub up: usize,
    /// Moderated to a worse grade (towards Inadequate).
    pub down: usize,
    pub same: usize,
}

pub fn changes(pairs: &[Pair]) -> Changes {
    let mut c = Changes::default();
    for p in pairs {
        match index(p.moderated).cmp(&index(p.original)) {
            Ordering::Less => c.up += 1,
            Ordering::Greater => c.down += 1,
            Ordering::Equal => c.same += 1,
        }
    }
    c
}

/// Quadratic-weighted kappa between the auditor's and the moderated grades.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum KappaResult {
    /// Fewer than `MIN_PAIRS` pairs (including none).
    NotEnough { pairs: usize },
    /// Every pair is this grade on both sides. Observed and chance agreement are then both
    /// complete and kappa is 0/0: reported as not calculable rather than as 1, which would
    /// claim agreement beyond chance that the data cannot show.
    SingleGrade { grade: Grade, pairs: usize },
    /// `low` and `high` are `value` ± 1.96·`se`, clipped to [-1, 1]. `se` is exactly 0 where
    /// the formula gives zero (every pair agreeing, or one side using one grade
    /// throughout); that zero-width interval is the formula's limit, not certainty, so
    /// `describe` gives no interval then.
    Kappa {
        value: f64,
        se: f64,
        low: f64,
        high: f64,
        pairs: usize,
    },
}

impl KappaResult {
    /// Kappa, where there is one.
    pub fn value(&self) -> Option<f64> {
        match self {
            KappaResult::Kappa { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// Plain English, e.g. "0.62 (95 % CI 0.41 to 0.83, 24 pairs)".
    pub fn describe(&self) -> String {
        match *self {
            KappaResult::NotEnough { pairs } => {
                format!(
                    "Not enough audits ({}; {MIN_PAIRS} needed)",
                    pairs_text(pairs)
                )
            }
            KappaResult::SingleGrade { grade, pairs } => format!(
                "Not calculable: all {} were {} before and after moderation",
                pairs_text(pairs),
                grade.label()
            ),
            KappaResult::Kappa {
                value,
                se: 0.0,
                pairs,
                ..
            } => format!(
                "{} ({}; no confidence interval can be given)",
                two_places(value),
                pairs_text(pairs)
            ),
            KappaResult::Kappa {
                value,
                low,
                high,
                pairs,
                ..
            } => format!(
                "{} (95 % CI {} to {}, {})",
                two_places(value),
                two_places(low),
                two_places(high),
                pairs_text(pairs)
            ),
        }
    }
}

fn pairs_text(n: usize) -> String {
    if n == 1 {
        "1 pair".to_string()
    } else {
        format!("{n} pairs")
    }
}

/// Rounded to two places as shown; `+ 0.0` turns -0.0 into 0.0 so "-0.00" never shows.
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0 + 0.0
}

fn two_places(v: f64) -> String {
    format!("{:.2}", round2(v))
}

/// Landis & Koch's (1977) words for a kappa: poor below 0, slight 0–0.20, fair 0.21–0.40,
/// moderate 0.41–0.60, substantial 0.61–0.80, almost perfect 0.81–1. Judged on the value
/// rounded to two places, as `describe` shows it, so the word never contradicts the figure.
/// (Landis, J. R. & Koch, G. G., The measurement of observer agreement for categorical
/// data, Biometrics 33(1), 159–174.)
pub fn strength(value: f64) -> &'static str {
    let v = round2(value);
    // Written from the top so NaN (never produced here) falls through to "poor".
    if v > 0.80 {
        "almost perfect"
    } else if v > 0.60 {
        "substantial"
    } else if v > 0.40 {
        "moderate"
    } else if v > 0.20 {
        "fair"
    } else if v >= 0.0 {
        "slight"
    } else {
        "poor"
    }
}

/// Quadratic-weighted kappa over the four grades, with its interval.
pub fn kappa(pairs: &[Pair]) -> KappaResult {
    let n = pairs.len();
    if n < MIN_PAIRS {
        return KappaResult::NotEnough { pairs: n };
    }
    let counts: Vec<Vec<f64>> = table(pairs)
        .iter()
        .map(|row| row.iter().map(|&c| c as f64).collect())
        .collect();
    match weighted_kappa_table(&counts, &quadratic_weights(4)) {
        Some(Estimate { value, se }) => {
            // Quadratic kappa lies in [-1, 1]; the clamp only removes rounding.
            let value = value.clamp(-1.0, 1.0);
            KappaResult::Kappa {
                value,
                se,
                low: (value - Z95 * se).max(-1.0),
                high: (value + Z95 * se).min(1.0),
                pairs: n,
            }
        }
        // Chance agreement is complete only when both sides used one and the same grade
        // throughout; otherwise 1 − p_e is at least about 1/(9n).
        None => KappaResult::SingleGrade {
            grade: pairs[0].original,
            pairs: n,
        },
    }
}

/// Agreement weights w_ij = 1 − (i − j)² / (k − 1)².
fn quadratic_weights(k: usize) -> Vec<Vec<f64>> {
    if k < 2 {
        return vec![vec![1.0; k]; k];
    }
    let span = ((k - 1) * (k - 1)) as f64;
    (0..k)
        .map(|i| {
            (0..k)
                .map(|j| {
                    let d = i.abs_diff(j);
                    1.0 - (d * d) as f64 / span
                })
                .collect()
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Estimate {
    value: f64,
    se: f64,
}

/// Weighted kappa (Cohen 1968) for any square table of counts and agreement weights
/// (1 on the diagonal), with the large-sample non-null standard error of Fleiss, Cohen &
/// Everitt (1969), "Large sample standard errors of kappa and weighted kappa",
/// Psychological Bulletin 72(5), 323–327 — the one for confidence intervals.
///
/// With n pairs, p_ij the proportion in cell (i, j) and p_i., p_.j the row and column
/// proportions:
///
/// ```text
/// p_o = Σ_ij w_ij p_ij            p_e = Σ_ij w_ij p_i. p_.j
/// κ_w = (p_o − p_e) / (1 − p_e)
/// w̄_i. = Σ_j p_.j w_ij            w̄_.j = Σ_i p_i. w_ij
/// var(κ_w) = [ Σ_ij p_ij (w_ij (1 − p_e) − (w̄_i. + w̄_.j)(1 − p_o))²
///              − (p_o p_e − 2 p_e + p_o)² ] / (n (1 − p_e)⁴)
/// ```
///
/// The subtracted term is the square of Σ_ij p_ij d_ij, d_ij being the bracketed term, so
/// the numerator is the variance of d over the table; it is computed in that centred form,
/// which cannot go negative through rounding.
///
/// `None` for an empty or ill-shaped table, or when chance agreement is complete
/// (1 − p_e ≈ 0), where kappa is 0/0.
fn weighted_kappa_table(table: &[Vec<f64>], weights: &[Vec<f64>]) -> Option<Estimate> {
    let k = table.len();
    if k == 0 || weights.len() != k || table.iter().chain(weights).any(|r| r.len() != k) {
        return None;
    }
    let n: f64 = table.iter().flatten().sum();
    if !n.is_finite() || n <= 0.0 {
        return None;
    }
    let p: Vec<Vec<f64>> = table
        .iter()
        .map(|r| r.iter().map(|&c| c / n).collect())
        .collect();
    let rows: Vec<f64> = p.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<f64> = (0..k).map(|j| p.iter().map(|r| r[j]).sum()).collect();
    let cells = || (0..k).flat_map(|i| (0..k).map(move |j| (i, j)));

    let p_o: f64 = cells().map(|(i, j)| weights[i][j] * p[i][j]).sum();
    let p_e: f64 = cells()
        .map(|(i, j)| weights[i][j] * rows[i] * cols[j])
        .sum();
    let q_e = 1.0 - p_e;
    // A genuine 1 − p_e is at least about 1/(9n) for four grades: far above this.
    if q_e < 1e-12 {
        return None;
    }
    let q_o = 1.0 - p_o;
    let value = (p_o - p_e) / q_e;

    let w_row: Vec<f64> = (0..k)
        .map(|i| (0..k).map(|j| cols[j] * weights[i][j]).sum())
        .collect();
    let w_col: Vec<f64> = (0..k)
        .map(|j| (0..k).map(|i| rows[i] * weights[i][j]).sum())
        .collect();
    let d = |i: usize, j: usize| weights[i][j] * q_e - (w_row[i] + w_col[j]) * q_o;
    let mean: f64 = cells().map(|(i, j)| p[i][j] * d(i, j)).sum();
    let spread: f64 = cells()
        .map(|(i, j)| p[i][j] * (d(i, j) - mean).powi(2))
        .sum();
    let se = (spread / (n * q_e.powi(4))).sqrt();
    Some(Estimate {
        value,
        se: if se < ZERO_SE { 0.0 } else { se },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Grade::*;

    fn close(actual: f64, expected: f64, tol: f64) {
        assert!(
            (actual - expected).abs() <= tol,
            "{actual} is not within {tol} of {expected}"
        );
    }

    /// Pairs laid out as `table` lays them out.
    fn pairs_from(t: [[usize; 4]; 4]) -> Vec<Pair> {
        let mut out = Vec::new();
        for (i, row) in t.iter().enumerate() {
            for (j, &count) in row.iter().enumerate() {
                for _ in 0..count {
                    out.push(Pair {
                        original: Grade::ALL[i],
                        moderated: Grade::ALL[j],
                    });
                }
            }
        }
        out
    }

    fn as_f64(t: &[&[f64]]) -> Vec<Vec<f64>> {
        t.iter().map(|r| r.to_vec()).collect()
    }

    fn kappa_parts(r: KappaResult) -> (f64, f64, f64, f64, usize) {
        match r {
            KappaResult::Kappa {
                value,
                se,
                low,
                high,
                pairs,
            } => (value, se, low, high, pairs),
            other => panic!("expected a kappa, got {other:?}"),
        }
    }

    #[test]
    fn index_follows_the_scale_s_order() {
        for (i, g) in Grade::ALL.into_iter().enumerate() {
            assert_eq!(index(g), i);
        }
    }

    #[test]
    fn the_table_has_the_auditor_s_grade_down_and_the_moderated_grade_across() {
        let pairs = [
            Pair {
                original: Good,
                moderated: RequiresImprovement,
            },
            Pair {
                original: Good,
                moderated: RequiresImprovement,
            },
            Pair {
                original: Inadequate,
                moderated: Outstanding,
            },
            Pair {
                original: Good,
                moderated: Good,
            },
        ];
        let t = table(&pairs);
        assert_eq!(t[1][2], 2);
        assert_eq!(t[2][1], 0);
        assert_eq!(t[3][0], 1);
        assert_eq!(t[1][1], 1);
        assert_eq!(t.iter().flatten().sum::<usize>(), 4);
        assert_eq!(pairs_from(t).len(), 4);
        assert_eq!(table(&[]), [[0; 4]; 4]);
    }

    #[test]
    fn the_share_counts_grades_kept_and_is_none_without_pairs() {
        assert_eq!(agreement(&[]), None);
        let pairs = pairs_from([[1, 0, 0, 0], [0, 2, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
        let share = agreement(&pairs).unwrap();
        assert_eq!(
            share,
            Share {
                agreed: 3,
                total: 4
            }
        );
        assert_eq!(share.percent(), 75.0);
        assert_eq!(
            Share {
                agreed: 0,
                total: 0
            }
            .percent(),
            0.0
        );
    }

    #[test]
    fn better_means_towards_outstanding() {
        // Rows: auditor's grade; columns: moderated. Above the diagonal is worse.
        let pairs = pairs_from([[2, 1, 0, 0], [3, 1, 2, 0], [0, 1, 0, 1], [0, 0, 4, 0]]);
        assert_eq!(
            changes(&pairs),
            Changes {
                up: 3 + 1 + 4,
                down: 1 + 2 + 1,
                same: 2 + 1
            }
        );
        assert_eq!(changes(&[]), Changes::default());
    }

    #[test]
    fn strength_uses_landis_and_koch_s_bands_on_the_value_as_shown() {
        assert_eq!(strength(-0.01), "poor");
        assert_eq!(strength(-1.0), "poor");
        // Shown as 0.00, so not called poor.
        assert_eq!(strength(-0.004), "slight");
        assert_eq!(strength(0.0), "slight");
        assert_eq!(strength(0.20), "slight");
        assert_eq!(strength(0.2049), "slight");
        assert_eq!(strength(0.2051), "fair");
        assert_eq!(strength(0.21), "fair");
        assert_eq!(strength(0.40), "fair");
        assert_eq!(strength(0.41), "moderate");
        assert_eq!(strength(0.60), "moderate");
        assert_eq!(strength(0.61), "substantial");
        assert_eq!(strength(0.80), "substantial");
        assert_eq!(strength(0.81), "almost perfect");
        assert_eq!(strength(1.0), "almost perfect");
        assert_eq!(strength(f64::NAN), "poor");
    }

    #[test]
    fn quadratic_weights_for_four_grades() {
        let w = quadratic_weights(4);
        let first = [1.0, 8.0 / 9.0, 5.0 / 9.0, 0.0];
        for (j, &expected) in first.iter().enumerate() {
            close(w[0][j], expected, 1e-15);
            close(w[j][0], expected, 1e-15);
        }
        for (i, row) in w.iter().enumerate() {
            assert_eq!(row[i], 1.0);
        }
        close(w[1][2], 8.0 / 9.0, 1e-15);
        close(w[1][3], 5.0 / 9.0, 1e-15);
        assert_eq!(quadratic_weights(1), vec![vec![1.0]]);
    }

    #[test]
    fn perfect_agreement_across_several_grades_is_one_with_no_interval() {
        let pairs = pairs_from([[3, 0, 0, 0], [0, 5, 0, 0], [0, 0, 4, 0], [0, 0, 0, 2]]);
        let r = kappa(&pairs);
        let (value, se, low, high, n) = kappa_parts(r);
        close(value, 1.0, 1e-12);
        assert_eq!(se, 0.0);
        close(low, 1.0, 1e-12);
        assert_eq!(high, 1.0);
        assert_eq!(n, 14);
        assert_eq!(
            r.describe(),
            "1.00 (14 pairs; no confidence interval can be given)"
        );
        assert_eq!(strength(value), "almost perfect");
    }

    #[test]
    fn chance_level_agreement_is_zero() {
        // An outer product of row counts (1, 2, 3, 4) and column counts (2, 1, 1, 1): every
        // cell is n·p_i.·p_.j, so observed equals expected agreement for any weights.
        let a = [1, 2, 3, 4];
        let b = [2, 1, 1, 1];
        let mut t = [[0; 4]; 4];
        for i in 0..4 {
            for j in 0..4 {
                t[i][j] = a[i] * b[j];
            }
        }
        let r = kappa(&pairs_from(t));
        let (value, se, low, high, n) = kappa_parts(r);
        assert_eq!(n, 50);
        close(value, 0.0, 1e-12);
        // statsmodels 0.15 cohens_kappa(t, wt='quadratic'): std_kappa 0.10994948334980444.
        close(se, 0.109_949_483_349_804, 1e-12);
        close(low, -1.96 * se, 1e-12);
        close(high, 1.96 * se, 1e-12);
        assert_eq!(r.describe(), "0.00 (95 % CI -0.22 to 0.22, 50 pairs)");
        assert_eq!(strength(value), "slight");
    }

    #[test]
    fn a_small_example_worked_by_hand() {
        // 10 pairs: Good/Good 4, RI/RI 4, Good/RI 1, RI/Good 1 (RI = requires improvement).
        // Quadratic weight between adjacent grades: 1 − 1/9 = 8/9.
        // Margins: rows and columns 0.5 Good, 0.5 RI.
        // p_o = 0.8·1 + 0.2·8/9 = 44/45;  p_e = 0.25·(1 + 1) + 0.25·(8/9)·2 = 17/18.
        // κ = (44/45 − 17/18) / (1/18) = (3/90)·18 = 0.6.
        // w̄ for both grades, rows and columns: 0.5·1 + 0.5·8/9 = 17/18.
        // 1 − p_e = 1/18 = 45/810;  1 − p_o = 1/45;  (w̄_i. + w̄_.j)(1 − p_o) = 34/810.
        // d on the diagonal: 45/810 − 34/810 = 11/810; off it: (8/9)(45/810) − 34/810 = 6/810.
        // Σ p d² = (0.8·121 + 0.2·36) / 810² = 104 / 656100.
        // p_o p_e − 2 p_e + p_o = (792·765 − 1530·810 + 792·810) / 810² = 1/81; squared
        // = 100 / 656100.
        // var = (4 / 656100) / (10 · (1/18)⁴) = 4 · 104976 / 6561000 = 0.064.
        // se = √0.064 = 0.252982…; 0.6 ± 1.96·se = 0.104155 to 1.095845, clipped to 1.
        // statsmodels 0.15 cohens_kappa(t, wt='quadratic'): kappa 0.6, var_kappa 0.064.
        let pairs = pairs_from([[0, 0, 0, 0], [0, 4, 1, 0], [0, 1, 4, 0], [0, 0, 0, 0]]);
        let r = kappa(&pairs);
        let (value, se, low, high, n) = kappa_parts(r);
        close(value, 0.6, 1e-12);
        close(se * se, 0.064, 1e-12);
        close(low, 0.6 - 1.96 * 0.064f64.sqrt(), 1e-12);
        assert_eq!(high, 1.0);
        assert_eq!(n, 10);
        assert_eq!(r.describe(), "0.60 (95 % CI 0.10 to 1.00, 10 pairs)");
        assert_eq!(strength(value), "moderate");
    }

    #[test]
    fn cohen_s_published_example() {
        // Cohen, J. (1968), "Weighted kappa: nominal scale agreement with provision for
        // scaled disagreement or partial credit", Psychological Bulletin 70(4), 213–220,
        // Table 1: 200 cases, three diagnoses, proportions as below; disagreement weights
        // 0 / 1 (personality disorder–neurosis) / 3 (–psychosis) / 6 (neurosis–psychosis).
        // Published: κ = .492 unweighted, κ_w = .348. Kappa is unchanged by rescaling the
        // weights, so agreement weights are 1 − v/6. FCE (1969) standard error on these
        // data: .0755 (Kelley, DMAR vignette "Weighted Kappa: Cohen's 1968 Illustration,
        // Worked in Full"; statsmodels 0.15 gives 0.0755040153). Cohen's own .0901 came
        // from the formula that FCE corrected.
        let table = as_f64(&[&[88.0, 14.0, 18.0], &[10.0, 40.0, 10.0], &[2.0, 6.0, 12.0]]);
        let unweighted = as_f64(&[&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &[0.0, 0.0, 1.0]]);
        let e = weighted_kappa_table(&table, &unweighted).unwrap();
        close(e.value, 0.492, 0.0005);
        let weights = as_f64(&[
            &[1.0, 5.0 / 6.0, 0.5],
            &[5.0 / 6.0, 1.0, 0.0],
            &[0.5, 0.0, 1.0],
        ]);
        let e = weighted_kappa_table(&table, &weights).unwrap();
        close(e.value, 0.348, 0.0005);
        close(e.value, 8.0 / 23.0, 1e-12);
        close(e.se, 0.0755, 0.00005);
        close(e.se, 0.075_504_015_254_823, 1e-12);
    }

    #[test]
    fn sas_published_example_with_its_interval() {
        // SAS PROC FREQ (AGREE) printout reproduced in statsmodels' test suite
        // (statsmodels/stats/tests/test_inter_rater.py, TestWeightedCohens and
        // TestUnweightedCohens, "comparison to printout of a SAS example"). SAS documents
        // its ASE as Fleiss, Cohen & Everitt (1969). Table [[0,4,1],[0,8,0],[0,1,5]].
        // Cicchetti–Allison (linear) weights: κ_w 0.4701, ASE 0.1457, 95 % 0.1845 to 0.7558.
        // Unweighted: κ 0.4842, ASE 0.1380, 95 % 0.2137 to 0.7547.
        let table = as_f64(&[&[0.0, 4.0, 1.0], &[0.0, 8.0, 0.0], &[0.0, 1.0, 5.0]]);
        let linear = as_f64(&[&[1.0, 0.5, 0.0], &[0.5, 1.0, 0.5], &[0.0, 0.5, 1.0]]);
        let e = weighted_kappa_table(&table, &linear).unwrap();
        close(e.value, 0.4701, 0.00005);
        close(e.se, 0.1457, 0.00005);
        close(e.value - Z95 * e.se, 0.1845, 0.00005);
        close(e.value + Z95 * e.se, 0.7558, 0.00005);
        let unweighted = as_f64(&[&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &[0.0, 0.0, 1.0]]);
        let e = weighted_kappa_table(&table, &unweighted).unwrap();
        close(e.value, 0.4842, 0.00005);
        close(e.se, 0.1380, 0.00005);
        close(e.value - Z95 * e.se, 0.2137, 0.00005);
        close(e.value + Z95 * e.se, 0.7547, 0.00005);
    }

    #[test]
    fn irr_published_quadratic_example_with_five_categories() {
        // R package irr, kappa2(anxiety[, 2:3], "squared") on its `anxiety` data (20
        // subjects; raters 2 and 3 use levels 1, 2, 3, 4, 6, which irr treats as five
        // ordered categories): Kappa 0.2520325, as quoted in statsmodels' test suite
        // (test_cohens_kappa_irr). statsmodels 0.15 gives std_kappa 0.18705199631621894.
        let table = as_f64(&[
            &[0.0, 0.0, 1.0, 0.0, 0.0],
            &[4.0, 0.0, 1.0, 0.0, 0.0],
            &[2.0, 3.0, 3.0, 0.0, 0.0],
            &[0.0, 2.0, 0.0, 1.0, 1.0],
            &[1.0, 0.0, 0.0, 1.0, 0.0],
        ]);
        let e = weighted_kappa_table(&table, &quadratic_weights(5)).unwrap();
        close(e.value, 0.252_032_5, 0.000_000_05);
        close(e.se, 0.187_051_996_316_219, 1e-12);
    }

    #[test]
    fn fewer_than_ten_pairs_is_not_enough() {
        let nine = pairs_from([[0, 0, 0, 0], [0, 4, 1, 0], [0, 1, 3, 0], [0, 0, 0, 0]]);
        assert_eq!(nine.len(), 9);
        assert_eq!(kappa(&nine), KappaResult::NotEnough { pairs: 9 });
        assert_eq!(
            kappa(&nine).describe(),
            "Not enough audits (9 pairs; 10 needed)"
        );
        assert_eq!(kappa(&[]), KappaResult::NotEnough { pairs: 0 });
        assert_eq!(
            kappa(&nine[..1]).describe(),
            "Not enough audits (1 pair; 10 needed)"
        );
        assert_eq!(kappa(&nine).value(), None);
        assert_eq!(MIN_PAIRS, 10);
    }

    #[test]
    fn one_grade_throughout_is_not_calculable() {
        let pairs = pairs_from([[0, 0, 0, 0], [0, 12, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
        let r = kappa(&pairs);
        assert_eq!(
            r,
            KappaResult::SingleGrade {
                grade: Good,
                pairs: 12
            }
        );
        assert_eq!(r.value(), None);
        assert_eq!(
            r.describe(),
            "Not calculable: all 12 pairs were Good before and after moderation"
        );
    }

    #[test]
    fn one_side_using_one_grade_gives_zero_with_zero_variance() {
        // Moderation graded everything Good: the moderated grade says nothing about the
        // auditor's, so κ = 0, and the FCE variance is exactly 0 (statsmodels 0.15 agrees).
        let pairs = pairs_from([[0, 2, 0, 0], [0, 6, 0, 0], [0, 5, 0, 0], [0, 2, 0, 0]]);
        let r = kappa(&pairs);
        let (value, se, low, high, _) = kappa_parts(r);
        close(value, 0.0, 1e-12);
        assert_eq!(se, 0.0);
        assert_eq!((low, high), (value, value));
        assert_eq!(
            r.describe(),
            "0.00 (15 pairs; no confidence interval can be given)"
        );
        // The same the other way round.
        let pairs = pairs_from([[0, 0, 0, 0], [2, 6, 5, 2], [0, 0, 0, 0], [0, 0, 0, 0]]);
        let (value, se, ..) = kappa_parts(kappa(&pairs));
        close(value, 0.0, 1e-12);
        assert_eq!(se, 0.0);
    }

    #[test]
    fn the_interval_is_clipped_at_minus_one() {
        // Mostly Outstanding ↔ Inadequate swaps. statsmodels 0.15: kappa −0.8, std_kappa
        // 0.13416407864998728, so the raw lower limit is −1.063.
        let pairs = pairs_from([[1, 0, 0, 9], [0, 0, 0, 0], [0, 0, 0, 0], [9, 0, 0, 1]]);
        let (value, se, low, high, _) = kappa_parts(kappa(&pairs));
        close(value, -0.8, 1e-12);
        close(se, 0.134_164_078_649_987, 1e-12);
        assert_eq!(low, -1.0);
        close(high, -0.8 + 1.96 * se, 1e-12);
        assert_eq!(strength(value), "poor");
        // Complete reversal: −1 with nothing to clip past.
        let pairs = pairs_from([[0, 0, 0, 5], [0, 0, 0, 0], [0, 0, 0, 0], [5, 0, 0, 0]]);
        let (value, se, low, high, _) = kappa_parts(kappa(&pairs));
        close(value, -1.0, 1e-12);
        assert_eq!(se, 0.0);
        assert!(low >= -1.0 && high <= -1.0 + 1e-12);
    }

    #[test]
    fn ill_shaped_or_empty_tables_give_no_estimate() {
        let q = quadratic_weights(2);
        assert_eq!(weighted_kappa_table(&[], &[]), None);
        assert_eq!(
            weighted_kappa_table(&as_f64(&[&[0.0, 0.0], &[0.0, 0.0]]), &q),
            None
        );
        assert_eq!(
            weighted_kappa_table(&as_f64(&[&[1.0, 2.0], &[3.0]]), &q),
            None
        );
        assert_eq!(
            weighted_kappa_table(&as_f64(&[&[1.0, 2.0], &[3.0, 4.0]]), &quadratic_weights(3)),
            None
        );
        assert_eq!(
            weighted_kappa_table(&as_f64(&[&[7.0]]), &quadratic_weights(1)),
            None
        );
    }

    #[test]
    fn no_nan_on_any_small_table() {
        // Deterministic pseudo-random tables, often squeezed onto one or two grades so the
        // degenerate margins come up.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for _ in 0..3000 {
            let n = next() % 40;
            let spread = 1 + next() % 4;
            let base = next() % (5 - spread);
            let pairs: Vec<Pair> = (0..n)
                .map(|_| Pair {
                    original: Grade::ALL[base + next() % spread],
                    moderated: Grade::ALL[base + next() % spread],
                })
                .collect();
            let r = kappa(&pairs);
            let text = r.describe();
            assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
            match r {
                KappaResult::NotEnough { pairs } => assert!(pairs < MIN_PAIRS),
                KappaResult::SingleGrade {
                    grade,
                    pairs: count,
                } => {
                    assert!(count >= MIN_PAIRS);
                    assert!(pairs
                        .iter()
                        .all(|p| p.original == grade && p.moderated == grade));
                }
                KappaResult::Kappa {
                    value,
                    se,
                    low,
                    high,
                    pairs: count,
                } => {
                    assert_eq!(count, n);
                    assert!(value.is_finite() && se.is_finite() && se >= 0.0);
                    assert!((-1.0..=1.0).contains(&value), "{value}");
                    assert!(-1.0 <= low && low <= value && value <= high && high <= 1.0);
                }
            }
        }
    }
}
