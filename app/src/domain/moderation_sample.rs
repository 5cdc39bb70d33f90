//! The moderation sample: about four to six weeks after a round is due, the QA Manager draws
//! a third of its completed audits, stratified by overall grade, for the moderation panel.
//! Audits completed later join through top-up draws under the same rule. No I/O.
//!
//! The draw itself is [`draw::draw`] from a recorded seed; a withdrawn sampled audit is
//! replaced with [`draw::replacement`] over its grade's recorded pool.

use super::audit::Grade;
use super::calendar::WorkingCalendar;
use super::draw::{self, Seed, Stratum, StratumDraw};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A third of the completed audits, rounded up.
pub fn sample_size(completed: usize) -> usize {
    completed.div_ceil(3)
}

/// Shares `size` among the grades in proportion to their counts by largest remainder,
/// with at least one from every grade present when `size` allows it.
///
/// - Only grades with a count above zero appear, in [`Grade::ALL`] order (with 0 if the
///   sample is too small to reach them). A grade listed twice has its counts added.
/// - The shares add up to `min(size, total)`.
/// - Every grade present starts with one, or with none when `size` is smaller than the
///   number of grades present (the minimum cannot be met, so no grade is favoured). Each
///   further seat goes to the grade furthest below its exact quota, size × count ÷ total.
///   Without the minimum this is exactly Hamilton's method; with it, it is largest
///   remainder over the quotas net of the one given.
/// - Ties go to the larger count, then to the grade earlier in [`Grade::ALL`] (Outstanding
///   first). Shortfalls are compared exactly, in integers.
/// - No grade gets more than its count: a seat only goes to a grade below its quota, and
///   a quota is never above the count.
pub fn allocate(counts: &[(Grade, usize)], size: usize) -> Vec<(Grade, usize)> {
    let present: Vec<(Grade, usize)> = Grade::ALL
        .into_iter()
        .map(|g| {
            let n = counts.iter().filter(|(h, _)| *h == g).map(|(_, n)| n).sum();
            (g, n)
        })
        .filter(|&(_, n)| n > 0)
        .collect();
    let total: usize = present.iter().map(|(_, n)| n).sum();
    let seats = size.min(total);
    let minimum = usize::from(seats >= present.len());
    let mut given = vec![minimum; present.len()];
    // How far below its quota a grade is, times `total` so that it stays whole.
    let shortfall =
        |i: usize, has: usize| seats as i128 * present[i].1 as i128 - has as i128 * total as i128;
    for _ in minimum * present.len()..seats {
        let i = (0..present.len())
            .max_by(|&a, &b| {
                shortfall(a, given[a])
                    .cmp(&shortfall(b, given[b]))
                    .then(present[a].1.cmp(&present[b].1))
                    .then(b.cmp(&a))
            })
            .expect("seats remain only when a grade is present");
        debug_assert!(shortfall(i, given[i]) > 0 && given[i] < present[i].1);
        given[i] += 1;
    }
    present.iter().map(|&(g, _)| g).zip(given).collect()
}

/// Each grade's audit IDs, ascending and distinct, in [`Grade::ALL`] order; empty grades left out.
fn pools(audits: &[(i64, Grade)]) -> Vec<(Grade, Vec<i64>)> {
    Grade::ALL
        .into_iter()
        .map(|g| {
            let ids: BTreeSet<i64> = audits
                .iter()
                .filter(|(_, h)| *h == g)
                .map(|(id, _)| *id)
                .collect();
            (g, ids.into_iter().collect::<Vec<_>>())
        })
        .filter(|(_, ids)| !ids.is_empty())
        .collect()
}

fn distinct(audits: &[(i64, Grade)]) -> usize {
    audits
        .iter()
        .map(|(id, _)| id)
        .collect::<BTreeSet<_>>()
        .len()
}

/// One stratum per grade present, labelled with [`Grade::label`], its quota from
/// [`allocate`]. Grades with a quota of 0 are kept, so the recorded pools cover every audit
/// the draw considered and a top-up does not treat them as new.
pub fn strata(audits: &[(i64, Grade)], size: usize) -> Vec<Stratum> {
    let pools = pools(audits);
    let counts: Vec<(Grade, usize)> = pools.iter().map(|(g, ids)| (*g, ids.len())).collect();
    allocate(&counts, size)
        .into_iter()
        .zip(pools)
        .map(|((grade, quota), (_, pool))| Stratum {
            label: grade.label().to_string(),
            quota,
            pool,
        })
        .collect()
}

/// The strata for a round's first moderation draw: a third of its completed audits.
pub fn sample_strata(audits: &[(i64, Grade)]) -> Vec<Stratum> {
    strata(audits, sample_size(distinct(audits)))
}

/// The first moderation draw. Record [`sample_strata`] and the seed beside it.
pub fn sample(audits: &[(i64, Grade)], seed: Seed) -> Vec<StratumDraw> {
    draw::draw(&sample_strata(audits), seed)
}

/// The strata for a top-up: the same rule over the audits in no earlier draw's pool.
pub fn top_up_strata(
    all_completed: &[(i64, Grade)],
    already_in_a_draw_pool: &BTreeSet<i64>,
) -> Vec<Stratum> {
    let new: Vec<(i64, Grade)> = all_completed
        .iter()
        .copied()
        .filter(|(id, _)| !already_in_a_draw_pool.contains(id))
        .collect();
    sample_strata(&new)
}

/// A top-up draw for audits completed since the earlier draws, with its own recorded seed.
/// Empty when there are none.
pub fn top_up(
    all_completed: &[(i64, Grade)],
    already_in_a_draw_pool: &BTreeSet<i64>,
    seed: Seed,
) -> Vec<StratumDraw> {
    draw::draw(&top_up_strata(all_completed, already_in_a_draw_pool), seed)
}

/// Whether re-running the draw from the recorded strata and seed selects exactly the
/// recorded audits for each label. Order within a selection does not matter; a repeated,
/// missing or extra audit or stratum does.
pub fn verify(recorded_strata: &[Stratum], seed: Seed, recorded: &[(String, Vec<i64>)]) -> bool {
    fn normalised(rows: impl Iterator<Item = (String, Vec<i64>)>) -> Vec<(String, Vec<i64>)> {
        let mut rows: Vec<_> = rows
            .map(|(label, mut ids)| {
                ids.sort_unstable();
                (label, ids)
            })
            .collect();
        rows.sort();
        rows
    }
    let redrawn = draw::draw(recorded_strata, seed)
        .into_iter()
        .map(|d| (d.label, d.selected));
    normalised(redrawn) == normalised(recorded.iter().cloned())
}

/// One audit a draw took, as stored, in the order taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// Its stratum's label.
    pub label: String,
    pub audit_id: i64,
    /// It replaced a withdrawn audit.
    pub replacement: bool,
}

/// Whether a recorded draw stands: its strata follow the rule, re-running it from its
/// seed takes the audits first taken, and replacement n (from 1) is what
/// [`draw::replacement`] gives from its stratum's pool less all the draw held before it.
pub fn verify_draw(recorded_strata: &[Stratum], seed: Seed, taken: &[Taken]) -> bool {
    let mut first: Vec<(String, Vec<i64>)> = recorded_strata
        .iter()
        .map(|s| (s.label.clone(), Vec::new()))
        .collect();
    for t in taken.iter().filter(|t| !t.replacement) {
        match first.iter_mut().find(|(label, _)| *label == t.label) {
            Some((_, ids)) => ids.push(t.audit_id),
            None => return false,
        }
    }
    let mut n = 0;
    let replacements_hold = taken.iter().enumerate().all(|(i, t)| {
        if !t.replacement {
            return true;
        }
        n += 1;
        let held: BTreeSet<i64> = taken[..i].iter().map(|p| p.audit_id).collect();
        let pool = recorded_strata
            .iter()
            .find(|s| s.label == t.label)
            .map(|s| s.pool.as_slice())
            .unwrap_or(&[]);
        draw::replacement(pool, &held, seed, n) == Some(t.audit_id)
    });
    follows_rule(recorded_strata) && verify(recorded_strata, seed, &first) && replacements_hold
}

/// Whether recorded strata are what this rule gives for their own pools: a grade label
/// each, a third of the audits in all, shared as [`allocate`] shares them. [`verify`] alone
/// would accept quotas that were edited before the draw was re-run.
pub fn follows_rule(recorded_strata: &[Stratum]) -> bool {
    let mut audits = Vec::new();
    for stratum in recorded_strata {
        let Some(grade) = Grade::ALL.into_iter().find(|g| g.label() == stratum.label) else {
            return false;
        };
        audits.extend(stratum.pool.iter().map(|&id| (id, grade)));
    }
    let expected = sample_strata(&audits);
    expected.len() == recorded_strata.len()
        && expected.iter().zip(recorded_strata).all(|(e, r)| {
            let pool: BTreeSet<i64> = r.pool.iter().copied().collect();
            e.label == r.label && e.quota == r.quota && e.pool.iter().eq(pool.iter())
        })
}

/// How many calendar weeks after the round's due date moderation opens and is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowWeeks {
    pub opens_after: u32,
    pub due_after: u32,
}

impl Default for WindowWeeks {
    fn default() -> Self {
        WindowWeeks {
            opens_after: 4,
            due_after: 6,
        }
    }
}

impl WindowWeeks {
    /// A year: anything longer is taken to be a mistake in the configuration.
    pub const MAX: u32 = 52;

    /// Moderation may open on the round's due date (0 weeks) but must be due at least a
    /// week after it, no sooner than it opens, and within [`WindowWeeks::MAX`] weeks.
    pub fn check(self) -> Result<WindowWeeks, String> {
        let WindowWeeks {
            opens_after,
            due_after,
        } = self;
        if due_after == 0 {
            Err("Moderation must be due at least 1 week after the round is due.".into())
        } else if due_after > Self::MAX {
            Err(format!(
                "Moderation must be due within {} weeks of the round, not {due_after}.",
                Self::MAX
            ))
        } else if opens_after > due_after {
            Err(format!(
                "Moderation cannot open {opens_after} weeks after the round is due when it \
                 is due after {due_after}: it must open no later than it is due."
            ))
        } else {
            Ok(self)
        }
    }

    /// Reads the two settings (e.g. from environment variables) as whole numbers of weeks.
    pub fn parse(opens: &str, due: &str) -> Result<WindowWeeks, String> {
        let weeks = |raw: &str, what: &str, example: u32| {
            raw.trim().parse::<u32>().map_err(|_| {
                format!(
                    "The weeks until moderation {what} must be a whole number, such as \
                     {example}, not \"{}\".",
                    raw.trim()
                )
            })
        };
        WindowWeeks {
            opens_after: weeks(opens, "opens", 4)?,
            due_after: weeks(due, "is due", 6)?,
        }
        .check()
    }
}

/// When the moderation draw should be made and the panel's work finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub opens_on: NaiveDate,
    pub due_on: NaiveDate,
}

/// The window for a round due on `round_due`: the weeks are added as calendar weeks, then
/// each date moves forward to a working day. `None` when the weeks fail
/// [`WindowWeeks::check`] or the calendar has no working day within a year of a date.
/// Moving forward keeps order, so `opens_on <= due_on`.
pub fn window(round_due: NaiveDate, cal: &WorkingCalendar, weeks: WindowWeeks) -> Option<Window> {
    let weeks = weeks.check().ok()?;
    let after = |n: u32| {
        round_due
            .checked_add_days(Days::new(7 * u64::from(n)))
            .and_then(|d| cal.working_day_on_or_after(d))
    };
    Some(Window {
        opens_on: after(weeks.opens_after)?,
        due_on: after(weeks.due_after)?,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    NotYetOpen,
    Open,
    Overdue,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::NotYetOpen => "Not yet open",
            Stage::Open => "Open",
            Stage::Overdue => "Overdue",
        }
    }
}

/// Where `today` falls in the window; both end days count as open.
pub fn stage(w: &Window, today: NaiveDate) -> Stage {
    if today < w.opens_on {
        Stage::NotYetOpen
    } else if today <= w.due_on {
        Stage::Open
    } else {
        Stage::Overdue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Grade::{Good, Inadequate, Outstanding, RequiresImprovement};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn seed(n: u8) -> Seed {
        Seed([n; 32])
    }

    /// Audits numbered from `first`, `counts[i]` of them graded `Grade::ALL[i]`.
    fn audits(first: i64, counts: [usize; 4]) -> Vec<(i64, Grade)> {
        let mut next = first;
        let mut out = Vec::new();
        for (g, n) in Grade::ALL.into_iter().zip(counts) {
            for _ in 0..n {
                out.push((next, g));
                next += 1;
            }
        }
        out
    }

    /// Every way of splitting `n` audits among the four grades.
    fn compositions(n: usize) -> impl Iterator<Item = [usize; 4]> {
        (0..=n).flat_map(move |a| {
            (0..=n - a).flat_map(move |b| (0..=n - a - b).map(move |c| [a, b, c, n - a - b - c]))
        })
    }

    /// Checks an allocation against the rule, stated without reference to how `allocate`
    /// works. With q = seats × count ÷ total (a grade's exact quota) and a its share:
    /// 1. exactly the grades present, in Grade::ALL order;
    /// 2. the shares sum to min(size, total) and none exceeds its grade's count;
    /// 3. every grade present gets at least one when seats ≥ grades present (the minimum);
    /// 4. largest remainder beyond the minimum: for every grade g given more than the
    ///    minimum and every other grade h, g's shortfall before its last seat, q_g − (a_g − 1),
    ///    beats h's shortfall q_h − a_h (ties: larger count, then earlier grade). Every seat
    ///    given outranks every seat not given, and since no two seats rank equal exactly one
    ///    allocation passes;
    /// 5. so no grade gets more than max(1, ⌈q⌉): past the minimum, a share stays under q + 1;
    /// 6. when no minimum is needed (seats < grades present, or every q ≥ 1), every grade
    ///    gets ⌊q⌋ or ⌈q⌉, i.e. is within 1 of its exact quota.
    ///
    /// 4 holds because `allocate` gives each seat to the grade then furthest below its quota
    /// and shortfalls only fall. 6 cannot be asked when the minimum is needed: with 1, 27,
    /// 1 and 1 audits, any allocation giving every grade one leaves Good 7 of its 9.
    fn check_rule(counts: [usize; 4], size: usize, got: &[(Grade, usize)]) {
        let total: usize = counts.iter().sum();
        let seats = size.min(total);
        let present: Vec<usize> = (0..4).filter(|&i| counts[i] > 0).collect();
        let ctx = format!("counts {counts:?}, size {size}: {got:?}");
        let grades: Vec<Grade> = got.iter().map(|(g, _)| *g).collect();
        let expected: Vec<Grade> = present.iter().map(|&i| Grade::ALL[i]).collect();
        assert_eq!(grades, expected, "{ctx}");
        let c: Vec<usize> = present.iter().map(|&i| counts[i]).collect();
        let a: Vec<usize> = got.iter().map(|(_, n)| *n).collect();
        assert_eq!(a.iter().sum::<usize>(), seats, "{ctx}");
        let minimum = usize::from(seats >= c.len());
        // Shortfall times `total`, to compare exactly.
        let key = |i: usize, has: usize| {
            let shortfall = (seats * c[i]) as i64 - (has * total) as i64;
            (shortfall, c[i], std::cmp::Reverse(i))
        };
        for g in 0..c.len() {
            assert!(a[g] <= c[g], "{ctx}");
            assert!(a[g] >= minimum, "{ctx}");
            if a[g] > minimum {
                for h in (0..c.len()).filter(|&h| h != g) {
                    assert!(key(g, a[g] - 1) > key(h, a[h]), "{ctx}: {g} over {h}");
                }
            }
            assert!(a[g] <= 1.max((seats * c[g]).div_ceil(total)), "{ctx}");
        }
        if minimum == 0 || c.iter().all(|&n| seats * n >= total) {
            for g in 0..c.len() {
                let floor = seats * c[g] / total;
                let ceil = (seats * c[g]).div_ceil(total);
                assert!((floor..=ceil).contains(&a[g]), "{ctx}");
            }
        }
    }

    #[test]
    fn sample_size_is_a_third_rounded_up() {
        let expected = [0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4];
        for (n, want) in expected.into_iter().enumerate() {
            assert_eq!(sample_size(n), want, "{n}");
        }
        for n in 0..=30 {
            assert!(sample_size(n) * 3 >= n && sample_size(n) * 3 < n + 3, "{n}");
        }
        assert_eq!(sample_size(30), 10);
    }

    /// The check: 1 to 30 audits, every mix of grades, at the sample size.
    #[test]
    fn every_mix_of_1_to_30_audits_follows_the_rule() {
        let mut mixes = 0;
        for n in 1..=30 {
            for counts in compositions(n) {
                let pairs: Vec<(Grade, usize)> = Grade::ALL.into_iter().zip(counts).collect();
                let size = sample_size(n);
                check_rule(counts, size, &allocate(&pairs, size));
                // The same through strata, which is what a draw records.
                let s = strata(&audits(1, counts), size);
                let quotas: Vec<(Grade, usize)> = s
                    .iter()
                    .map(|st| {
                        let g = Grade::ALL
                            .into_iter()
                            .find(|g| g.label() == st.label)
                            .unwrap();
                        (g, st.quota)
                    })
                    .collect();
                assert_eq!(quotas, allocate(&pairs, size));
                mixes += 1;
            }
        }
        // Compositions of n into 4 parts, summed over 1..=30: C(34, 4) - 1.
        assert_eq!(mixes, 46_375);
    }

    /// Sizes other than a third, including more than there are audits.
    #[test]
    fn every_size_for_small_rounds_follows_the_rule() {
        for n in 0..=12 {
            for counts in compositions(n) {
                let pairs: Vec<(Grade, usize)> = Grade::ALL.into_iter().zip(counts).collect();
                for size in 0..=n + 2 {
                    check_rule(counts, size, &allocate(&pairs, size));
                }
            }
        }
    }

    #[test]
    fn hand_worked_allocations() {
        // 10 Good, 4 RI, 1 Inadequate: 15 audits, sample 5. Exact quotas 10/3 = 3.33,
        // 4/3 = 1.33, 1/3 = 0.33. One each leaves 2 seats; shortfalls Good 2.33, RI 0.33,
        // Inadequate -0.67. Good takes the first (now 1.33 short) and the second (1.33 beats
        // RI's 0.33). Good 3, RI 1, Inadequate 1.
        assert_eq!(
            allocate(
                &[(Good, 10), (RequiresImprovement, 4), (Inadequate, 1)],
                sample_size(15)
            ),
            [(Good, 3), (RequiresImprovement, 1), (Inadequate, 1)]
        );
        // No minimum needed: 9 Good, 6 RI, 3 Inadequate, sample 6. Quotas 3, 2, 1 exactly.
        assert_eq!(
            allocate(&[(Good, 9), (RequiresImprovement, 6), (Inadequate, 3)], 6),
            [(Good, 3), (RequiresImprovement, 2), (Inadequate, 1)]
        );
        // The minimum costs the largest grade more than one seat: 1 Outstanding, 27 Good,
        // 1 RI, 1 Inadequate, sample 10. Good's exact quota is 27/3 = 9, but the three
        // singletons (quota 1/3 each) take one seat each, leaving Good 7.
        assert_eq!(
            allocate(
                &[
                    (Outstanding, 1),
                    (Good, 27),
                    (RequiresImprovement, 1),
                    (Inadequate, 1)
                ],
                sample_size(30)
            ),
            [
                (Outstanding, 1),
                (Good, 7),
                (RequiresImprovement, 1),
                (Inadequate, 1)
            ]
        );
        // 1 Outstanding, 3 Good, 5 RI, 18 Inadequate: 27 audits, sample 9. Quotas 1/3, 1,
        // 5/3, 6. One each leaves 5 seats; shortfalls -2/3, 0, 2/3, 5. Inadequate takes 4
        // (shortfall 5, 4, 3, 2, then 1), and the fifth too: its 1 beats RI's 2/3. The
        // minimum's extra 2/3 of a seat for Outstanding comes out of RI.
        assert_eq!(
            allocate(
                &[
                    (Outstanding, 1),
                    (Good, 3),
                    (RequiresImprovement, 5),
                    (Inadequate, 18)
                ],
                sample_size(27)
            ),
            [
                (Outstanding, 1),
                (Good, 1),
                (RequiresImprovement, 1),
                (Inadequate, 6)
            ]
        );
        // Grades listed in any order, repeated or empty: counts are added, output in order.
        assert_eq!(
            allocate(
                &[
                    (Inadequate, 1),
                    (Good, 6),
                    (Outstanding, 0),
                    (Good, 4),
                    (RequiresImprovement, 4)
                ],
                5
            ),
            [(Good, 3), (RequiresImprovement, 1), (Inadequate, 1)]
        );
    }

    #[test]
    fn remainder_ties() {
        // 5 Good, 3 RI, sample 4 of 8: quotas 20/8 = 2.5 and 12/8 = 1.5. Whole parts 2 + 1,
        // remainders equal (4/8 each): the last seat goes to the larger count, Good.
        assert_eq!(
            allocate(&[(Good, 5), (RequiresImprovement, 3)], 4),
            [(Good, 3), (RequiresImprovement, 1)]
        );
        // 1 Outstanding, 5 Good, 5 RI, sample 4 of 11. Quotas 4/11, 20/11, 20/11. One each
        // leaves 1 seat; Good and RI are both 9/11 short with equal counts: Grade::ALL
        // order, Good.
        assert_eq!(
            allocate(&[(Outstanding, 1), (Good, 5), (RequiresImprovement, 5)], 4),
            [(Outstanding, 1), (Good, 2), (RequiresImprovement, 1)]
        );
        // Fewer seats than grades: 4 Good, 1 RI, 1 Inadequate, sample 2 of 6. No minimum;
        // quotas 8/6, 2/6, 2/6: Good's whole seat, then a three-way tie at 2/6 which the
        // larger count wins. Good 2, the others 0 (but still listed).
        assert_eq!(
            allocate(
                &[(Good, 4), (RequiresImprovement, 1), (Inadequate, 1)],
                sample_size(6)
            ),
            [(Good, 2), (RequiresImprovement, 0), (Inadequate, 0)]
        );
        // 2 each of three grades, sample 2: all tie on remainder and count; Grade::ALL order.
        assert_eq!(
            allocate(&[(Inadequate, 2), (RequiresImprovement, 2), (Good, 2)], 2),
            [(Good, 1), (RequiresImprovement, 1), (Inadequate, 0)]
        );
    }

    #[test]
    fn strata_pool_each_grade_s_audits() {
        let list = [
            (7, Good),
            (3, Inadequate),
            (5, Good),
            (9, Good),
            (5, Good),
            (4, Outstanding),
        ];
        let s = strata(&list, 2);
        assert_eq!(
            s,
            vec![
                Stratum {
                    label: "Outstanding".into(),
                    quota: 1,
                    pool: vec![4]
                },
                Stratum {
                    label: "Good".into(),
                    quota: 1,
                    pool: vec![5, 7, 9]
                },
                Stratum {
                    label: "Inadequate".into(),
                    quota: 0,
                    pool: vec![3]
                },
            ]
        );
        // Five distinct audits (5 is listed twice): a sample of 2.
        assert_eq!(sample_strata(&list), s);
        assert!(follows_rule(&s));
    }

    #[test]
    fn empty_rounds_draw_nothing() {
        assert_eq!(sample_size(0), 0);
        assert!(allocate(&[], 3).is_empty());
        assert!(allocate(&[(Good, 0), (Inadequate, 0)], 3).is_empty());
        assert_eq!(allocate(&[(Good, 4)], 0), [(Good, 0)]);
        assert!(strata(&[], 0).is_empty());
        assert!(sample(&[], seed(1)).is_empty());
        assert!(top_up(&[], &BTreeSet::new(), seed(1)).is_empty());
        assert!(verify(&[], seed(1), &[]));
        assert!(follows_rule(&[]));
    }

    #[test]
    fn the_sample_is_reproducible_from_its_seed() {
        let round = audits(100, [6, 30, 18, 6]);
        let first = sample(&round, seed(7));
        assert_eq!(first, sample(&round, seed(7)));
        assert_ne!(first, sample(&round, seed(8)));
        // 60 audits: 20 sampled, 2 + 10 + 6 + 2, each from its own grade.
        let quotas: Vec<usize> = first.iter().map(|s| s.selected.len()).collect();
        assert_eq!(quotas, [2, 10, 6, 2]);
        for (stratum, drawn) in sample_strata(&round).iter().zip(&first) {
            assert!(drawn.selected.iter().all(|id| stratum.pool.contains(id)));
        }
        // The order the audits were listed in does not matter.
        let mut shuffled = round.clone();
        shuffled.reverse();
        shuffled.rotate_left(17);
        assert_eq!(sample(&shuffled, seed(7)), first);
    }

    /// Pins the rule and the draw together, as written: if this changes, recorded
    /// moderation samples could no longer be verified. 17 audits, sample 6: quotas 0.71,
    /// 3.53, 1.41, 0.35; one each, then both seats left to Good (2.53, then 1.53 short).
    #[test]
    fn known_answer() {
        let drawn = sample(&audits(1, [2, 10, 4, 1]), seed(42));
        let selected: Vec<(&str, Vec<i64>)> = drawn
            .iter()
            .map(|s| (s.label.as_str(), s.selected.clone()))
            .collect();
        assert_eq!(
            selected,
            vec![
                ("Outstanding", vec![1]),
                ("Good", vec![11, 12, 3]),
                ("Requires improvement to be good", vec![16]),
                ("Inadequate", vec![17]),
            ]
        );
    }

    #[test]
    fn a_draw_with_its_replacements_verifies_and_a_changed_one_does_not() {
        let round = audits(1, [3, 12, 7, 2]);
        let strata = sample_strata(&round);
        let mut taken: Vec<Taken> = sample(&round, seed(5))
            .into_iter()
            .flat_map(|s| {
                s.selected.into_iter().map(move |audit_id| Taken {
                    label: s.label.clone(),
                    audit_id,
                    replacement: false,
                })
            })
            .collect();
        assert!(verify_draw(&strata, seed(5), &taken));
        // Withdraw the first Good audit: replacement 1 comes from Good, less all held.
        let good = strata.iter().find(|s| s.label == "Good").unwrap();
        let held: BTreeSet<i64> = taken.iter().map(|t| t.audit_id).collect();
        let next = draw::replacement(&good.pool, &held, seed(5), 1).unwrap();
        taken.push(Taken {
            label: "Good".into(),
            audit_id: next,
            replacement: true,
        });
        assert!(verify_draw(&strata, seed(5), &taken));
        // Another audit in its place, a replacement from the wrong seed, a label the draw
        // never had, or an edited quota: none verifies.
        let mut swapped = taken.clone();
        swapped.last_mut().unwrap().audit_id = good
            .pool
            .iter()
            .copied()
            .find(|a| !held.contains(a) && *a != next)
            .unwrap();
        assert!(!verify_draw(&strata, seed(5), &swapped));
        assert!(!verify_draw(&strata, seed(6), &taken));
        let mut relabelled = taken.clone();
        relabelled[0].label = "Excellent".into();
        assert!(!verify_draw(&strata, seed(5), &relabelled));
        let mut edited = strata.clone();
        edited[0].quota += 1;
        assert!(!verify_draw(&edited, seed(5), &taken));
        assert!(verify_draw(&[], seed(5), &[]));
    }

    #[test]
    fn verify_accepts_the_recorded_draw_and_nothing_else() {
        let round = audits(1, [3, 12, 7, 2]);
        let recorded_strata = sample_strata(&round);
        let drawn = sample(&round, seed(3));
        let mut recorded: Vec<(String, Vec<i64>)> =
            drawn.into_iter().map(|s| (s.label, s.selected)).collect();
        assert!(verify(&recorded_strata, seed(3), &recorded));
        assert!(follows_rule(&recorded_strata));

        // Order within a selection and of the strata does not matter.
        let mut reordered = recorded.clone();
        reordered.reverse();
        for (_, ids) in &mut reordered {
            ids.reverse();
        }
        assert!(verify(&recorded_strata, seed(3), &reordered));

        assert!(!verify(&recorded_strata, seed(4), &recorded));
        let good = recorded.iter().position(|(l, _)| l == "Good").unwrap();
        let unpicked = recorded_strata[good]
            .pool
            .iter()
            .copied()
            .find(|id| !recorded[good].1.contains(id))
            .unwrap();
        let mut swapped = recorded.clone();
        swapped[good].1[0] = unpicked;
        assert!(!verify(&recorded_strata, seed(3), &swapped));
        let mut repeated = recorded.clone();
        let first = repeated[good].1[0];
        repeated[good].1.push(first);
        assert!(!verify(&recorded_strata, seed(3), &repeated));
        let mut relabelled = recorded.clone();
        relabelled[good].0 = "Outstanding".into();
        assert!(!verify(&recorded_strata, seed(3), &relabelled));
        recorded.pop();
        assert!(!verify(&recorded_strata, seed(3), &recorded));

        // Strata edited before re-running the draw pass `verify` but not the rule.
        let mut edited = recorded_strata.clone();
        edited[good].quota += 1;
        assert!(!follows_rule(&edited));
        let mut renamed = recorded_strata.clone();
        renamed[0].label = "List 6".into();
        assert!(!follows_rule(&renamed));
    }

    #[test]
    fn top_ups_draw_a_third_of_the_new_audits_only() {
        let first = audits(1, [1, 5, 3, 0]);
        let pooled: BTreeSet<i64> = sample_strata(&first)
            .iter()
            .flat_map(|s| s.pool.clone())
            .collect();
        assert_eq!(pooled.len(), 9);
        assert!(top_up(&first, &pooled, seed(2)).is_empty());

        // Five more completed since: 2 Good, 2 RI, 1 Inadequate, all new IDs.
        let mut all = first.clone();
        all.extend(audits(50, [0, 2, 2, 1]));
        let topped = top_up(&all, &pooled, seed(2));
        let taken: Vec<i64> = topped.iter().flat_map(|s| s.selected.clone()).collect();
        assert_eq!(taken.len(), sample_size(5));
        assert!(taken.iter().all(|id| (50..55).contains(id)));
        let strata = top_up_strata(&all, &pooled);
        assert!(strata
            .iter()
            .flat_map(|s| &s.pool)
            .all(|id| !pooled.contains(id)));
        assert!(follows_rule(&strata));
        assert_eq!(
            strata.iter().map(|s| s.quota).collect::<Vec<_>>(),
            // 2 seats over 2 Good, 2 RI, 1 Inadequate: fewer than grades, quotas 0.8, 0.8, 0.4.
            [1, 1, 0]
        );
    }

    #[test]
    fn a_withdrawn_audit_is_replaced_from_its_own_grade() {
        let round = audits(1, [0, 12, 6, 0]);
        let recorded_strata = sample_strata(&round);
        let drawn = sample(&round, seed(5));
        let mut held: BTreeSet<i64> = drawn.iter().flat_map(|s| s.selected.clone()).collect();
        let withdrawn = drawn[1].selected[0];
        held.insert(withdrawn);
        let pool = &recorded_strata[1].pool;
        let replacement = draw::replacement(pool, &held, seed(5), 1).unwrap();
        assert!(pool.contains(&replacement) && !held.contains(&replacement));
        assert_eq!(
            draw::replacement(pool, &held, seed(5), 1),
            Some(replacement)
        );
    }

    #[test]
    fn window_weeks_default_and_parse() {
        assert_eq!(
            WindowWeeks::default(),
            WindowWeeks {
                opens_after: 4,
                due_after: 6
            }
        );
        assert_eq!(
            WindowWeeks::parse(" 3 ", "8"),
            Ok(WindowWeeks {
                opens_after: 3,
                due_after: 8
            })
        );
        assert_eq!(
            WindowWeeks::parse("0", "1"),
            Ok(WindowWeeks {
                opens_after: 0,
                due_after: 1
            })
        );
        assert!(WindowWeeks::parse("5", "5").is_ok());
        assert_eq!(
            WindowWeeks::parse("four", "6"),
            Err(
                "The weeks until moderation opens must be a whole number, such as 4, not \"four\"."
                    .into()
            )
        );
        assert_eq!(
            WindowWeeks::parse("4", "-6"),
            Err(
                "The weeks until moderation is due must be a whole number, such as 6, not \"-6\"."
                    .into()
            )
        );
        assert!(WindowWeeks::parse("", "6").is_err());
        assert!(WindowWeeks::parse("4", "6.5").is_err());
        assert_eq!(
            WindowWeeks::parse("0", "0"),
            Err("Moderation must be due at least 1 week after the round is due.".into())
        );
        assert_eq!(
            WindowWeeks::parse("7", "6"),
            Err(
                "Moderation cannot open 7 weeks after the round is due when it is due after 6: \
                 it must open no later than it is due."
                    .into()
            )
        );
        assert_eq!(
            WindowWeeks::parse("4", "53"),
            Err("Moderation must be due within 52 weeks of the round, not 53.".into())
        );
        assert!(WindowWeeks::parse("4", "52").is_ok());
    }

    #[test]
    fn window_moves_to_working_days() {
        let cal = WorkingCalendar::shipped();
        let weeks = WindowWeeks::default();
        // An ordinary round: December 2026 due Thursday 31 December; 4 and 6 weeks later
        // are Thursdays 28 January and 11 February 2027, both working days.
        assert_eq!(
            window(d(2026, 12, 31), &cal, weeks),
            Some(Window {
                opens_on: d(2027, 1, 28),
                due_on: d(2027, 2, 11)
            })
        );
        // November 2026 due Monday 30 November: +4 weeks is Monday 28 December, Boxing
        // Day's substitute bank holiday, so it opens Tuesday 29; +6 weeks crosses into 2027.
        assert_eq!(
            window(d(2026, 11, 30), &cal, weeks),
            Some(Window {
                opens_on: d(2026, 12, 29),
                due_on: d(2027, 1, 11)
            })
        );
        // February 2027 due Friday 26 February: +4 weeks is Good Friday 26 March; with the
        // weekend and Easter Monday it opens Tuesday 30 March. Due Friday 9 April.
        assert_eq!(
            window(d(2027, 2, 26), &cal, weeks),
            Some(Window {
                opens_on: d(2027, 3, 30),
                due_on: d(2027, 4, 9)
            })
        );
        // The due date moves too: 12 February 2027 + 6 weeks is Good Friday.
        assert_eq!(
            window(d(2027, 2, 12), &cal, weeks).unwrap().due_on,
            d(2027, 3, 30)
        );
        // Weekends: from Saturday 31 October 2026, Saturdays 28 November and 12 December
        // move to the Mondays after.
        assert_eq!(
            window(d(2026, 10, 31), &cal, weeks),
            Some(Window {
                opens_on: d(2026, 11, 30),
                due_on: d(2026, 12, 14)
            })
        );
        // Council closure days 29–31 December 2026, then New Year's Day and a weekend:
        // opening moves into the next month and year, Monday 4 January 2027.
        let closed = cal
            .closed_days()
            .chain([d(2026, 12, 29), d(2026, 12, 30), d(2026, 12, 31)]);
        assert_eq!(
            window(d(2026, 11, 30), &WorkingCalendar::new(closed), weeks),
            Some(Window {
                opens_on: d(2027, 1, 4),
                due_on: d(2027, 1, 11)
            })
        );
        // Configured weeks, including opening on the round's due date itself.
        assert_eq!(
            window(
                d(2026, 8, 28),
                &cal,
                WindowWeeks {
                    opens_after: 0,
                    due_after: 1
                }
            ),
            Some(Window {
                opens_on: d(2026, 8, 28),
                due_on: d(2026, 9, 4)
            })
        );
    }

    #[test]
    fn window_refuses_bad_weeks_and_closed_calendars() {
        let cal = WorkingCalendar::shipped();
        let due = d(2026, 12, 31);
        for (opens_after, due_after) in [(0, 0), (7, 6), (4, 53)] {
            assert_eq!(
                window(
                    due,
                    &cal,
                    WindowWeeks {
                        opens_after,
                        due_after
                    }
                ),
                None
            );
        }
        // No working day within a year of the opening date.
        let closed = WorkingCalendar::new(d(2027, 1, 28).iter_days().take(400));
        assert_eq!(window(due, &closed, WindowWeeks::default()), None);
        assert_eq!(window(NaiveDate::MAX, &cal, WindowWeeks::default()), None);
    }

    #[test]
    fn stages_of_the_window() {
        let w = Window {
            opens_on: d(2026, 12, 29),
            due_on: d(2027, 1, 11),
        };
        assert_eq!(stage(&w, d(2026, 12, 24)), Stage::NotYetOpen);
        assert_eq!(stage(&w, d(2026, 12, 29)), Stage::Open);
        assert_eq!(stage(&w, d(2027, 1, 11)), Stage::Open);
        assert_eq!(stage(&w, d(2027, 1, 12)), Stage::Overdue);
        assert_eq!(Stage::NotYetOpen.label(), "Not yet open");
        assert_eq!(Stage::Open.label(), "Open");
        assert_eq!(Stage::Overdue.label(), "Overdue");
    }
}
