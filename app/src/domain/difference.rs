//! "Make A Difference": a summary of what made practice good, drafted from an audit that
//! moderation confirmed as Good or Outstanding, the disclosure check that must be settled
//! before the QA team publishes it to the council-wide library, and the library's search.
//! No I/O.

use super::audit::{FormProblem, Grade, MAX_TEXT};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The longest summary title, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest reason for clearing a flag, in characters.
pub const MAX_REASON: usize = 500;

/// A summary as first drafted, for the QA team to edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub title: String,
    pub body: String,
}

/// Drafts the summary from the audit's key strengths and, for each domain the moderated
/// grades put at Good or Outstanding, its title and the auditor's findings (`domains` is
/// `(title, moderated grade, findings)` in the template's order).
///
/// Plain text: sections are separated by a blank line, each headed by a plain line.
/// Empty sections are left out. The child's ID is not an input, so the title never holds
/// it; the auditor's own words may, which is what [`check`] is for.
pub fn draft(
    team: &str,
    month: &str,
    strengths: &str,
    domains: &[(String, Grade, String)],
) -> Draft {
    let mut sections = Vec::new();
    let strengths = tidy(strengths);
    if !strengths.is_empty() {
        sections.push(format!("Key strengths\n{strengths}"));
    }
    for (title, grade, findings) in domains {
        let findings = tidy(findings);
        if matches!(grade, Grade::Good | Grade::Outstanding) && !findings.is_empty() {
            sections.push(format!("{} ({})\n{findings}", title.trim(), grade.label()));
        }
    }
    Draft {
        title: format!("Good practice in {}: {}", team.trim(), month.trim()),
        body: sections.join("\n\n"),
    }
}

/// Browsers send line breaks as CRLF; one break should count as one character.
pub fn tidy(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_string()
}

/// What a disclosure flag found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FlagKind {
    /// A known Child Unique ID, or something that looks like a case or reference number.
    ChildId,
    /// A person in the staff directory.
    Name,
    /// A full date (day, month and year).
    Date,
}

impl FlagKind {
    pub fn label(self) -> &'static str {
        match self {
            FlagKind::ChildId => "Child ID or reference",
            FlagKind::Name => "Name",
            FlagKind::Date => "Date",
        }
    }
}

/// Something that must be edited out or cleared before the summary is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    /// What was matched, exactly as in the text (its first appearance).
    pub text: String,
    /// Stable across edits: `child:<ID in capitals>`, `name:<person id>` or
    /// `date:<yyyy-mm-dd>`, so a cleared flag stays cleared while the text still holds it.
    pub key: String,
    /// Plain English for the QA team.
    pub message: String,
}

/// A flag as a page shows it, with who cleared it and why, if anyone did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagView {
    pub key: String,
    pub kind: String,
    pub text: String,
    pub message: String,
    pub cleared: Option<String>,
}

/// A flag the QA team cleared, kept with the text it was found in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clearance {
    pub key: String,
    pub reason: String,
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Courtesy titles that, before a surname, name a person as surely as their full name.
const TITLES: [&str; 6] = ["mr", "mrs", "ms", "miss", "mx", "dr"];

#[derive(Debug, Clone)]
struct NamePattern {
    person_id: i64,
    /// Lower-case words.
    words: Vec<String>,
    /// The directory's name, spaces tidied, for messages.
    display: String,
    /// The whole directory name, rather than a shorter form of it.
    full: bool,
}

/// What the disclosure check looks for: the staff directory and the council's Child
/// Unique IDs, prepared once so a check is quick however large they are.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// In capitals.
    child_ids: HashSet<String>,
    /// By their first word.
    names: HashMap<String, Vec<NamePattern>>,
    /// `(person id, display name)` by lower-case surname, for "Ms Smith".
    surnames: HashMap<String, Vec<(i64, String)>>,
}

impl Known {
    /// Whether `text` is one of the council's Child Unique IDs (a flag the QA team may
    /// never clear).
    pub fn is_child_id(&self, text: &str) -> bool {
        self.child_ids.contains(&text.trim().to_ascii_uppercase())
    }

    /// From the directory's people `(person id, display name)` and the known Child Unique
    /// IDs.
    pub fn new<N: AsRef<str>, C: AsRef<str>>(
        people: impl IntoIterator<Item = (i64, N)>,
        child_ids: impl IntoIterator<Item = C>,
    ) -> Known {
        let mut known = Known {
            child_ids: child_ids
                .into_iter()
                .map(|id| id.as_ref().trim().to_ascii_uppercase())
                .filter(|id| !id.is_empty())
                .collect(),
            ..Known::default()
        };
        for (person_id, name) in people {
            let name = name.as_ref();
            let words: Vec<String> = name_words(name).into_iter().map(|w| w.lower).collect();
            if words.is_empty() {
                continue;
            }
            let display = name.split_whitespace().collect::<Vec<_>>().join(" ");
            // "Dr Jane Smith" is also written "Jane Smith".
            let core = if words.len() > 2 && TITLES.contains(&words[0].as_str()) {
                &words[1..]
            } else {
                &words[..]
            };
            let mut forms = vec![words.clone()];
            if core.len() < words.len() {
                forms.push(core.to_vec());
            }
            // Middle names are often left out.
            if core.len() > 2 {
                forms.push(vec![core[0].clone(), core[core.len() - 1].clone()]);
            }
            for (i, form) in forms.into_iter().enumerate() {
                known
                    .names
                    .entry(form[0].clone())
                    .or_default()
                    .push(NamePattern {
                        person_id,
                        words: form,
                        display: display.clone(),
                        full: i == 0,
                    });
            }
            if core.len() > 1 {
                known
                    .surnames
                    .entry(core[core.len() - 1].clone())
                    .or_default()
                    .push((person_id, display));
            }
        }
        known
    }
}

/// The disclosure check: every Child ID, staff name and full date in `text`, in the order
/// they first appear, one flag per key.
///
/// - Child IDs: any token equal, ignoring case, to a known Child Unique ID; and any token
///   that looks like a case or reference number from any system (see [`id_like`]). A token
///   is a run of letters, digits, `-`, `_` and `/`; IDs joined by `/` are looked at one by
///   one.
/// - Names: a directory person's name as whole words, ignoring case and with any spaces
///   or line breaks between the words; also first name and surname without middle names,
///   the name without a leading title, and a title with the surname ("Ms Smith", "Dr.
///   Smith"; titles Mr, Mrs, Ms, Miss, Mx, Dr). A possessive "'s" still matches. First
///   names and surnames on their own are not flagged: too many would be ordinary words.
/// - Dates: every valid full date, as dd/mm/yyyy, d/m/yy, dd-mm-yyyy, dd.mm.yyyy,
///   yyyy-mm-dd, "7 March 2014", "7th of March 2014", "March 7, 2014" (month names in full
///   or short, any case). Any full date could be a birth date or let a reader place a child,
///   so all are flagged and the QA team clears those that are safe; a month and year alone
///   is not flagged. Two-digit years 00–49 are 20xx and 50–99 are 19xx.
pub fn check(text: &str, known: &Known) -> Vec<Flag> {
    let mut hits = Vec::new();
    child_ids(text, known, &mut hits);
    names(text, known, &mut hits);
    dates(text, &mut hits);
    settle(hits)
}

/// Sorts hits by position and keeps the first of each key.
fn settle(mut hits: Vec<(usize, Flag)>) -> Vec<Flag> {
    hits.sort_by(|a, b| (a.0, &a.1.key).cmp(&(b.0, &b.1.key)));
    let mut seen = HashSet::new();
    hits.into_iter()
        .filter(|(_, f)| seen.insert(f.key.clone()))
        .map(|(_, f)| f)
        .collect()
}

/// The flags not yet cleared: the summary may be published only when there are none.
/// Flags are worked out afresh from the current text, so editing a match out of the text
/// also settles it.
pub fn outstanding<'a>(flags: &'a [Flag], cleared: &[String]) -> Vec<&'a Flag> {
    flags.iter().filter(|f| !cleared.contains(&f.key)).collect()
}

fn flag(kind: FlagKind, text: &str, key: String, message: String) -> Flag {
    Flag {
        kind,
        text: text.to_string(),
        key,
        message,
    }
}

/// The text with its spaces and line breaks tidied, for quoting in a message.
fn quoted(text: &str) -> String {
    format!(
        "\"{}\"",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

// ---- Child IDs ----

fn id_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '/')
}

fn trim_id(s: &str) -> (usize, &str) {
    let t = s.trim_start_matches(['-', '_', '/']);
    (s.len() - t.len(), t.trim_end_matches(['-', '_', '/']))
}

/// Whether a token looks like a case or reference number: at least 6 characters of ASCII
/// letters, digits, `-`, `_` and `/`, with either a run of 6 or more digits, or a letter
/// and a run of 3 or more digits that is not a year (19xx or 20xx). Ordinary words have no
/// digits, and a year alone, "FY2025-26", "Q1-2026", "Covid-19" or "S17/S47" are not IDs.
pub fn id_like(token: &str) -> bool {
    if token.len() < 6
        || !token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'))
    {
        return false;
    }
    let letter = token.chars().any(|c| c.is_ascii_alphabetic());
    let mut long_run = false;
    for run in token.split(|c: char| !c.is_ascii_digit()) {
        let year = run.len() == 4 && (run.starts_with("19") || run.starts_with("20"));
        if run.len() >= 6 {
            return true;
        }
        long_run |= run.len() >= 3 && !year;
    }
    letter && long_run
}

fn child_ids(text: &str, known: &Known, hits: &mut Vec<(usize, Flag)>) {
    let mut push = |at: usize, token: &str, is_known: bool| {
        let message = if is_known {
            format!("{} is a Child Unique ID", quoted(token))
        } else {
            format!("{} looks like a case or reference number", quoted(token))
        };
        // Keyed on the token, not the list, so the key holds if the list changes.
        let key = format!("child:{}", token.to_ascii_uppercase());
        hits.push((at, flag(FlagKind::ChildId, token, key, message)));
    };
    let is_known = |t: &str| known.child_ids.contains(&t.to_ascii_uppercase());
    for (start, run) in runs(text, id_char) {
        let (lead, token) = trim_id(run);
        if token.is_empty() {
            continue;
        }
        let at = start + lead;
        if is_known(token) {
            push(at, token, true);
            continue;
        }
        let mut found = false;
        if token.contains('/') {
            let mut offset = 0;
            for piece in token.split('/') {
                let (lead, p) = trim_id(piece);
                if !p.is_empty() && (is_known(p) || id_like(p)) {
                    push(at + offset + lead, p, is_known(p));
                    found = true;
                }
                offset += piece.len() + 1;
            }
        }
        if !found && id_like(token) {
            push(at, token, false);
        }
    }
}

/// Maximal runs of characters that satisfy `keep`, with their byte offsets.
fn runs(text: &str, keep: impl Fn(char) -> bool) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (keep(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

// ---- Names ----

struct Word<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    /// Lower case, with curly apostrophes made straight.
    lower: String,
}

impl Word<'_> {
    /// Without a possessive "'s": the lower-case word and where it ends.
    fn base(&self) -> Option<(String, usize)> {
        let cut = ["'s", "'S", "’s", "’S"]
            .iter()
            .find(|s| self.text.len() > s.len() && self.text.ends_with(*s))?;
        let end = self.end - cut.len();
        Some((self.lower[..self.lower.len() - 2].to_string(), end))
    }
}

/// Words for name matching: runs of letters and digits, joined by an apostrophe or hyphen
/// between two of them ("O'Brien", "Mary-Jane"), so "Ann" never matches inside "Annex"
/// and "Smith" never matches "Smith-Jones".
fn name_words(text: &str) -> Vec<Word<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |j: usize| chars.get(j).map_or(text.len(), |c| c.0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_alphanumeric() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() {
            let c = chars[j].1;
            if c.is_alphanumeric() {
                j += 1;
            } else if matches!(c, '\'' | '’' | '-')
                && chars.get(j + 1).is_some_and(|n| n.1.is_alphanumeric())
            {
                j += 2;
            } else {
                break;
            }
        }
        let (start, end) = (chars[i].0, end_of(j));
        let text = &text[start..end];
        out.push(Word {
            start,
            end,
            text,
            lower: text.to_lowercase().replace('’', "'"),
        });
        i = j;
    }
    out
}

/// Between the words of a name: spaces or line breaks, after a full stop for an initial.
fn name_gap(gap: &str, before: &Word) -> bool {
    let initial = before.lower.chars().count() == 1;
    let rest = match gap.strip_prefix('.') {
        Some(rest) if initial => rest,
        _ => gap,
    };
    !rest.is_empty() && rest.chars().all(char::is_whitespace)
}

/// Where `pattern` ends if it matches the words from `k`.
fn match_name(text: &str, words: &[Word], k: usize, pattern: &[String]) -> Option<usize> {
    let found = words.get(k..k + pattern.len())?;
    let mut end = 0;
    for (j, (w, p)) in found.iter().zip(pattern).enumerate() {
        if j > 0 && !name_gap(&text[found[j - 1].end..w.start], &found[j - 1]) {
            return None;
        }
        let last = j + 1 == pattern.len();
        if w.lower == *p {
            end = w.end;
        } else if let Some((_, base_end)) = w.base().filter(|(b, _)| last && b == p) {
            end = base_end;
        } else {
            return None;
        }
    }
    Some(end)
}

fn names(text: &str, known: &Known, hits: &mut Vec<(usize, Flag)>) {
    let words = name_words(text);
    let key = |id: i64| format!("name:{id}");
    for (k, w) in words.iter().enumerate() {
        let mut firsts = vec![w.lower.clone()];
        firsts.extend(w.base().map(|(b, _)| b));
        for pattern in firsts.iter().filter_map(|f| known.names.get(f)).flatten() {
            if let Some(end) = match_name(text, &words, k, &pattern.words) {
                let found = &text[w.start..end];
                let message = if pattern.full {
                    format!(
                        "{} is the name of a person in the staff directory",
                        quoted(found)
                    )
                } else {
                    format!(
                        "{} may name {}, a person in the staff directory",
                        quoted(found),
                        pattern.display
                    )
                };
                hits.push((
                    w.start,
                    flag(FlagKind::Name, found, key(pattern.person_id), message),
                ));
            }
        }
        if !TITLES.contains(&w.lower.as_str()) {
            continue;
        }
        let Some(next) = words.get(k + 1) else {
            continue;
        };
        let gap = &text[w.end..next.start];
        let gap = gap.strip_prefix('.').unwrap_or(gap);
        if gap.is_empty() || !gap.chars().all(char::is_whitespace) {
            continue;
        }
        let mut surnames = vec![(next.lower.clone(), next.end)];
        surnames.extend(next.base());
        for (surname, end) in surnames {
            for (id, display) in known.surnames.get(&surname).into_iter().flatten() {
                let found = &text[w.start..end];
                let message = format!(
                    "{} may name {display}, a person in the staff directory",
                    quoted(found)
                );
                hits.push((w.start, flag(FlagKind::Name, found, key(*id), message)));
            }
        }
    }
}

// ---- Dates ----

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A month's number, and whether the word was shortened (so may take a full stop).
fn month(word: &str) -> Option<(u32, bool)> {
    let w = word.to_lowercase();
    MONTHS.iter().zip(1..).find_map(|(full, n)| {
        if w == *full {
            Some((n, false))
        } else if (w.len() == 3 || w == "sept") && full.starts_with(&w) {
            Some((n, true))
        } else {
            None
        }
    })
}

/// "7", "07" or "7th".
fn day(word: &str) -> Option<u32> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let suffix = word[digits..].to_ascii_lowercase();
    if (1..=2).contains(&digits) && ["", "st", "nd", "rd", "th"].contains(&suffix.as_str()) {
        word[..digits].parse().ok()
    } else {
        None
    }
}

fn year4(word: &str) -> Option<i32> {
    (word.len() == 4 && word.chars().all(|c| c.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
}

/// Two-digit years: 00–49 are this century, 50–99 the last (adults' birth years).
fn pivot(yy: u32) -> i32 {
    if yy < 50 {
        2000 + yy as i32
    } else {
        1900 + yy as i32
    }
}

/// The gap in a written date: spaces, after an optional full stop (for a short month) and
/// an optional comma (after which spaces may be left out).
fn date_gap(gap: &str, dot: bool, comma: bool) -> bool {
    let mut g = gap;
    if dot {
        g = g.strip_prefix('.').unwrap_or(g);
    }
    let had_comma = comma && g.starts_with(',');
    if had_comma {
        g = &g[1..];
    }
    g.chars().all(char::is_whitespace) && (had_comma || !g.is_empty())
}

fn dates(text: &str, hits: &mut Vec<(usize, Flag)>) {
    let mut push = |start: usize, end: usize, date: NaiveDate| {
        let found = &text[start..end];
        let message = format!(
            "{} is a full date: it could be a date of birth, or let a reader identify a child",
            quoted(found)
        );
        let key = format!("date:{}", date.format("%Y-%m-%d"));
        hits.push((start, flag(FlagKind::Date, found, key, message)));
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let fresh = chars[i].1.is_ascii_digit() && (i == 0 || !chars[i - 1].1.is_alphanumeric());
        match fresh.then(|| numeric_date(&chars, i)).flatten() {
            Some((end, date)) => {
                push(chars[i].0, chars.get(end).map_or(text.len(), |c| c.0), date);
                i = end;
            }
            None => i += 1,
        }
    }
    let words = runs(text, char::is_alphanumeric);
    let gap = |a: usize, b: usize| &text[words[a].0 + words[a].1.len()..words[b].0];
    for k in 0..words.len() {
        let word = |j: usize| words.get(j).map_or("", |w| w.1);
        let mut found = None;
        // "7 March 2014", "7th of March, 2014"
        if let Some(d) = day(word(k)) {
            let mut m = k + 1;
            if word(m).eq_ignore_ascii_case("of") && date_gap(gap(k, m), false, false) {
                m += 1;
            }
            if let (Some((mo, short)), Some(y)) = (month(word(m)), year4(word(m + 1))) {
                if date_gap(gap(m - 1, m), false, false) && date_gap(gap(m, m + 1), short, true) {
                    found = NaiveDate::from_ymd_opt(y, mo, d).map(|date| (m + 1, date));
                }
            }
        }
        // "March 7, 2014", "Mar. 7th 2014"
        if let (Some((mo, short)), Some(d), Some(y)) =
            (month(word(k)), day(word(k + 1)), year4(word(k + 2)))
        {
            if date_gap(gap(k, k + 1), short, false) && date_gap(gap(k + 1, k + 2), false, true) {
                found = NaiveDate::from_ymd_opt(y, mo, d).map(|date| (k + 2, date));
            }
        }
        if let Some((last, date)) = found {
            push(words[k].0, words[last].0 + words[last].1.len(), date);
        }
    }
}

/// A numeric date starting at `chars[i]`: day, month, year (2 or 4 digits) or year, month,
/// day, split by the same `/`, `-` or `.`. Returns the index just past it.
fn numeric_date(chars: &[(usize, char)], i: usize) -> Option<(usize, NaiveDate)> {
    let digits_from = |s: usize| {
        let mut e = s;
        while chars.get(e).is_some_and(|c| c.1.is_ascii_digit()) {
            e += 1;
        }
        e
    };
    let value = |s: usize, e: usize| {
        chars[s..e]
            .iter()
            .fold(0u32, |n, c| n * 10 + c.1.to_digit(10).unwrap_or(0))
    };
    let e1 = digits_from(i);
    let sep = chars.get(e1)?.1;
    if !matches!(sep, '/' | '-' | '.') {
        return None;
    }
    let s2 = e1 + 1;
    let e2 = digits_from(s2);
    if chars.get(e2)?.1 != sep {
        return None;
    }
    let s3 = e2 + 1;
    let e3 = digits_from(s3);
    // Not part of something longer, like "1/2/2014/5" or "07/03/2014a".
    match chars.get(e3) {
        Some(c) if c.1.is_alphanumeric() => return None,
        Some(c) if c.1 == sep && chars.get(e3 + 1).is_some_and(|d| d.1.is_ascii_digit()) => {
            return None
        }
        _ => {}
    }
    let (y, m, d) = match (e1 - i, e2 - s2, e3 - s3) {
        (1 | 2, 1 | 2, 4) => (value(s3, e3) as i32, value(s2, e2), value(i, e1)),
        (1 | 2, 1 | 2, 2) => (pivot(value(s3, e3)), value(s2, e2), value(i, e1)),
        (4, 1 | 2, 1 | 2) => (value(i, e1) as i32, value(s2, e2), value(s3, e3)),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m, d).map(|date| (e3, date))
}

// ---- The edit form ----

/// The summary as the QA team edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryText {
    pub title: String,
    pub body: String,
}

fn problem(field: &str, message: &str) -> FormProblem {
    FormProblem {
        field: field.into(),
        message: message.into(),
    }
}

impl SummaryText {
    /// Reads the form (`title`, `body`): both required; over-long text is refused, never
    /// cut.
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<SummaryText, Vec<FormProblem>> {
        let mut problems = Vec::new();
        let title = tidy(&get("title").unwrap_or_default());
        let body = tidy(&get("body").unwrap_or_default());
        if title.is_empty() {
            problems.push(problem("title", "Enter a title"));
        } else if title.chars().count() > MAX_TITLE {
            problems.push(problem(
                "title",
                "The title must be 200 characters or fewer",
            ));
        }
        if body.is_empty() {
            problems.push(problem("body", "Enter the summary"));
        } else if body.chars().count() > MAX_TEXT {
            problems.push(problem(
                "body",
                "The summary must be 10,000 characters or fewer",
            ));
        }
        if problems.is_empty() {
            Ok(SummaryText { title, body })
        } else {
            Err(problems)
        }
    }

    /// The disclosure check over the title and then the body, one flag per key.
    pub fn check(&self, known: &Known) -> Vec<Flag> {
        let mut seen = HashSet::new();
        check(&self.title, known)
            .into_iter()
            .chain(check(&self.body, known))
            .filter(|f| seen.insert(f.key.clone()))
            .collect()
    }
}

/// Reads the reason for clearing a flag (`reason`): required, at most [`MAX_REASON`]
/// characters.
pub fn clearing_reason(get: impl Fn(&str) -> Option<String>) -> Result<String, Vec<FormProblem>> {
    let reason = tidy(&get("reason").unwrap_or_default());
    if reason.is_empty() {
        Err(vec![problem(
            "reason",
            "Give the reason this can be published",
        )])
    } else if reason.chars().count() > MAX_REASON {
        Err(vec![problem(
            "reason",
            "The reason must be 500 characters or fewer",
        )])
    } else {
        Ok(reason)
    }
}

// ---- The library ----

/// Whether a published summary matches a search: every word of the query appears, ignoring
/// case, somewhere in its title, body or team. An empty query matches everything.
pub fn matches(query: &str, title: &str, body: &str, team: &str) -> bool {
    let fold = |s: &str| s.to_lowercase().replace('’', "'");
    let fields = [fold(title), fold(body), fold(team)];
    query
        .split_whitespace()
        .map(fold)
        .all(|w| fields.iter().any(|f| f.contains(&w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        Known::new(
            [
                (42, "Jane  Smith"),
                (7, "Ann Lee"),
                (9, "Mary-Jane O'Brien"),
                (12, "Tom Alan Hughes"),
                (13, "Zoë Ångström"),
                (14, "Dr Priya Patel"),
                (15, "Cher"),
                (16, "J. Okafor"),
            ],
            ["DEMO10001", "DEMO10002", "demo10012"],
        )
    }

    fn keys(text: &str) -> Vec<String> {
        check(text, &known()).into_iter().map(|f| f.key).collect()
    }

    fn texts(text: &str) -> Vec<String> {
        check(text, &known()).into_iter().map(|f| f.text).collect()
    }

    #[test]
    fn a_full_name_is_flagged_in_any_case_and_spacing() {
        let flags = check("The plan Jane Smith wrote was clear.", &known());
        assert_eq!(
            flags,
            vec![Flag {
                kind: FlagKind::Name,
                text: "Jane Smith".into(),
                key: "name:42".into(),
                message: "\"Jane Smith\" is the name of a person in the staff directory".into(),
            }]
        );
        assert_eq!(texts("by JANE smith."), ["JANE smith"]);
        // Split by a line break or a double space: the text as written, the message tidied.
        let flags = check("as Jane\nSmith said", &known());
        assert_eq!(flags[0].text, "Jane\nSmith");
        assert!(flags[0].message.starts_with("\"Jane Smith\" is"));
        assert_eq!(keys("as Jane  Smith said"), ["name:42"]);
        assert_eq!(keys("as Jane \r\n Smith said"), ["name:42"]);
        assert_eq!(texts("Jane Smith's visits"), ["Jane Smith"]);
        assert_eq!(texts("Jane Smith’s visits"), ["Jane Smith"]);
        assert_eq!(keys("ZOË ÅNGSTRÖM visited"), ["name:13"]);
        assert_eq!(keys("Mary-Jane O’Brien visited"), ["name:9"]);
        assert_eq!(keys("Cher visited"), ["name:15"]);
        assert_eq!(keys("J. Okafor and J Okafor"), ["name:16"]);
    }

    #[test]
    fn a_title_with_a_surname_and_shorter_forms_are_flagged() {
        for text in [
            "Ms Smith",
            "Mrs Smith",
            "Mr Smith",
            "Miss Smith",
            "Mx Smith",
            "Dr Smith",
            "Dr. Smith",
            "ms smith",
            "Ms\nSmith",
        ] {
            assert_eq!(
                keys(&format!("Seen by {text} weekly")),
                ["name:42"],
                "{text}"
            );
        }
        let flags = check("Ms Smith's plan", &known());
        assert_eq!(flags[0].text, "Ms Smith");
        assert_eq!(
            flags[0].message,
            "\"Ms Smith\" may name Jane Smith, a person in the staff directory"
        );
        // Without the middle name, and without the directory's own title.
        assert_eq!(keys("Tom Hughes and Tom Alan Hughes"), ["name:12"]);
        assert_eq!(keys("Priya Patel"), ["name:14"]);
        assert_eq!(keys("Dr Priya Patel"), ["name:14"]);
        assert_eq!(keys("Dr Patel"), ["name:14"]);
    }

    #[test]
    fn names_match_whole_words_only() {
        for text in [
            "Annex Lee",
            "Ann Leeds",
            "Jane Smithers",
            "Ms Smithson",
            "Jane Smith-Jones",
            "Jane, Smith",
            "Smith",
            "Jane",
            "Ann",
            "Cherish the child",
            "Lee",
            "MsSmith",
            "Ms. . Smith",
        ] {
            assert!(keys(text).is_empty(), "{text}");
        }
        assert_eq!(keys("Ann Lee."), ["name:7"]);
    }

    #[test]
    fn known_child_ids_are_flagged_ignoring_case() {
        let flags = check("Seen (demo10001). Sibling DEMO10012!", &known());
        assert_eq!(
            flags.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(),
            ["child:DEMO10001", "child:DEMO10012"]
        );
        assert_eq!(flags[0].text, "demo10001");
        assert_eq!(flags[0].kind, FlagKind::ChildId);
        assert_eq!(flags[0].message, "\"demo10001\" is a Child Unique ID");
        assert_eq!(
            keys("DEMO10001/DEMO10002"),
            ["child:DEMO10001", "child:DEMO10002"]
        );
        assert_eq!(texts("ref: -DEMO10001-"), ["DEMO10001"]);
    }

    #[test]
    fn tokens_that_look_like_ids_are_flagged() {
        for (text, id) in [
            ("Mosaic AB123456 shows", "AB123456"),
            ("person 1234567 on LCS", "1234567"),
            ("NHS-778812 noted", "NHS-778812"),
            ("file CP/2014/0012 holds", "CP/2014/0012"),
            ("case x_00451 closed", "x_00451"),
        ] {
            let flags = check(text, &known());
            assert_eq!(flags.len(), 1, "{text}");
            assert_eq!(flags[0].text, id);
            assert_eq!(flags[0].key, format!("child:{}", id.to_ascii_uppercase()));
            assert_eq!(
                flags[0].message,
                format!("\"{id}\" looks like a case or reference number")
            );
        }
    }

    #[test]
    fn ordinary_words_and_years_are_not_ids() {
        let text = "In 2014 the family moved; by 2023-24 and 2023/2024 the Covid-19 \
                    years, S17/S47 enquiries, FY2025-26, Q1-2026, the 1990s, KS2, year10, \
                    a 2nd review at 10am, £250,000 and well-being were all considered.";
        assert!(keys(text).is_empty(), "{:?}", keys(text));
        assert!(!id_like("2014"));
        assert!(!id_like("ABCDEFGH"));
        assert!(id_like("123456"));
        assert!(!id_like("12345"));
    }

    #[test]
    fn every_date_format_is_flagged() {
        for text in [
            "07/03/2014",
            "7/3/2014",
            "7/3/14",
            "07-03-2014",
            "07.03.2014",
            "2014-03-07",
            "2014/3/7",
            "7 March 2014",
            "7th March 2014",
            "7TH MARCH 2014",
            "the 7th of March 2014",
            "7 March, 2014",
            "7 Mar 2014",
            "7 Mar. 2014",
            "March 7, 2014",
            "March 7 2014",
            "Mar. 7th, 2014",
            "march 7,2014",
        ] {
            let flags = check(&format!("Born {text}, seen later."), &known());
            assert_eq!(flags.len(), 1, "{text}");
            assert_eq!(flags[0].kind, FlagKind::Date);
            assert_eq!(flags[0].key, "date:2014-03-07", "{text}");
            assert!(text.ends_with(&flags[0].text), "{text}: {}", flags[0].text);
        }
        assert_eq!(
            check("on 1 Sept 2014", &known())[0].message,
            "\"1 Sept 2014\" is a full date: it could be a date of birth, or let a reader \
             identify a child"
        );
        // Two-digit years: a child's this century, an adult's the last.
        assert_eq!(keys("7/3/85"), ["date:1985-03-07"]);
        assert_eq!(keys("29/02/16"), ["date:2016-02-29"]);
        // A date from this year's practice is flagged too, for the QA team to clear.
        assert_eq!(keys("the review on 3 March 2026"), ["date:2026-03-03"]);
    }

    #[test]
    fn invalid_dates_month_years_and_lookalikes_are_not_flagged() {
        for text in [
            "31/02/2014",
            "32/01/2014",
            "29 February 2015",
            "2014-13-01",
            "0/3/2014",
            "March 2026",
            "in March 2026 the plan",
            "03/2026",
            "2026-03",
            "7 March",
            "March 7",
            "12/03/20145",
            "v1.2.3",
            "1/2/2014/5",
            "7/3/2014a",
            "x7/3/2014",
            "7 March 14 children",
            "7 Marchly 2014",
            "7/3-2014",
            "7 March;2014",
        ] {
            assert!(keys(text).is_empty(), "{text}: {:?}", keys(text));
        }
        assert_eq!(keys("29 February 2016"), ["date:2016-02-29"]);
    }

    #[test]
    fn flags_come_in_text_order_once_per_key() {
        let text = "On 07/03/2014 Ms Smith met DEMO10001. Jane Smith saw 7 March 2014 \
                    and demo10001 again.";
        let flags = check(text, &known());
        assert_eq!(
            flags.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(),
            ["date:2014-03-07", "name:42", "child:DEMO10001"]
        );
        // The first appearance is the one shown.
        assert_eq!(flags[0].text, "07/03/2014");
        assert_eq!(flags[1].text, "Ms Smith");
        assert!(check("", &known()).is_empty());
        assert!(check("Nothing to see.", &Known::default()).is_empty());
        // Blank entries in the directory or the ID list match nothing.
        let blank = Known::new([(1, ""), (2, "  ")], ["", " "]);
        assert!(check("Nothing to see, - / _ here.", &blank).is_empty());
    }

    #[test]
    fn cleared_flags_stop_blocking_and_editing_a_flag_out_settles_it() {
        let k = known();
        let text = "Jane Smith met the child on 7 March 2014 (DEMO10001).";
        let flags = check(text, &k);
        assert_eq!(outstanding(&flags, &[]).len(), 3);
        let cleared = vec!["name:42".to_string()];
        let left: Vec<&str> = outstanding(&flags, &cleared)
            .iter()
            .map(|f| f.key.as_str())
            .collect();
        assert_eq!(left, ["date:2014-03-07", "child:DEMO10001"]);
        // The edit removes the ID and the date; the cleared name, even written another way,
        // stays cleared.
        let edited = "Ms Smith met the child that spring.";
        let flags = check(edited, &k);
        assert_eq!(flags.len(), 1);
        assert!(outstanding(&flags, &cleared).is_empty());
        // A cleared key for one person does not clear another.
        let flags = check("Ms Smith and Ann Lee", &k);
        assert_eq!(outstanding(&flags, &cleared)[0].key, "name:7");
    }

    #[test]
    fn the_draft_keeps_good_and_outstanding_domains_and_no_child_id() {
        let domains = vec![
            (
                "Voice of the child".to_string(),
                Grade::Outstanding,
                "Her wishes shaped the plan.\r\nShe chose where to meet.".to_string(),
            ),
            (
                "Risk and need".to_string(),
                Grade::RequiresImprovement,
                "Chronology out of date.".to_string(),
            ),
            (
                "Planning".to_string(),
                Grade::Good,
                " SMART actions, reviewed monthly. ".to_string(),
            ),
            (
                "Management oversight".to_string(),
                Grade::Inadequate,
                "No supervision recorded.".to_string(),
            ),
            ("Recording".to_string(), Grade::Good, "  ".to_string()),
        ];
        let d = draft(
            "Children in Care North",
            "March 2026",
            "Warm, persistent relationship-based work.",
            &domains,
        );
        assert_eq!(
            d.title,
            "Good practice in Children in Care North: March 2026"
        );
        assert_eq!(
            d.body,
            "Key strengths\nWarm, persistent relationship-based work.\n\n\
             Voice of the child (Outstanding)\nHer wishes shaped the plan.\nShe chose where to meet.\n\n\
             Planning (Good)\nSMART actions, reviewed monthly."
        );
        let summary = SummaryText {
            title: d.title,
            body: d.body,
        };
        assert!(summary.check(&known()).is_empty());
        let bare = draft("Leaving Care", "May 2026", "", &[]);
        assert_eq!(bare.body, "");
        // An ID the auditor typed into the findings is caught by the check.
        let typed = draft(
            "Leaving Care",
            "May 2026",
            "Seen as DEMO10002.",
            &[("Voice".to_string(), Grade::Good, "Good.".to_string())],
        );
        assert!(!typed.title.contains("DEMO"));
        assert_eq!(check(&typed.body, &known())[0].key, "child:DEMO10002");
    }

    fn form<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(f, _)| *f == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_summary_form_needs_both_fields_within_their_limits() {
        let ok = SummaryText::parse(form(&[("title", " Good practice "), ("body", "Text\r\n")]))
            .unwrap();
        assert_eq!(ok.title, "Good practice");
        assert_eq!(ok.body, "Text");
        let e = SummaryText::parse(form(&[("title", "  "), ("body", "")])).unwrap_err();
        assert_eq!(e[0], problem("title", "Enter a title"));
        assert_eq!(e[1], problem("body", "Enter the summary"));
        let long_title = "t".repeat(MAX_TITLE + 1);
        let long_body = "b".repeat(MAX_TEXT + 1);
        let e =
            SummaryText::parse(form(&[("title", &long_title), ("body", &long_body)])).unwrap_err();
        assert_eq!(e[0].message, "The title must be 200 characters or fewer");
        assert_eq!(
            e[1].message,
            "The summary must be 10,000 characters or fewer"
        );
        let title = "é".repeat(MAX_TITLE);
        // Each line break the browser sends as CRLF counts once.
        let body = format!("{}\r\n{}", "b".repeat(5_000), "b".repeat(4_999));
        assert!(SummaryText::parse(form(&[("title", &title), ("body", &body)])).is_ok());
        // Flags from the title and body together, once each.
        let s = SummaryText {
            title: "Jane Smith's work".into(),
            body: "Ms Smith, 7/3/2014".into(),
        };
        let keys: Vec<String> = s.check(&known()).into_iter().map(|f| f.key).collect();
        assert_eq!(keys, ["name:42", "date:2014-03-07"]);
    }

    #[test]
    fn a_clearing_reason_is_required_and_short() {
        assert_eq!(
            clearing_reason(form(&[("reason", " The practitioner agreed to be named ")])),
            Ok("The practitioner agreed to be named".to_string())
        );
        assert_eq!(
            clearing_reason(form(&[])).unwrap_err()[0].message,
            "Give the reason this can be published"
        );
        let long = "r".repeat(MAX_REASON + 1);
        assert_eq!(
            clearing_reason(form(&[("reason", &long)])).unwrap_err()[0],
            problem("reason", "The reason must be 500 characters or fewer")
        );
        assert!(clearing_reason(form(&[("reason", &long[1..])])).is_ok());
    }

    #[test]
    fn search_needs_every_word_somewhere() {
        let (t, b, team) = (
            "Good practice in Leaving Care",
            "The young person’s voice shaped the pathway plan.",
            "Leaving Care",
        );
        assert!(matches("", t, b, team));
        assert!(matches("  ", t, b, team));
        assert!(matches("PATHWAY voice", t, b, team));
        assert!(matches("leaving plan", t, b, team));
        assert!(matches("person's", t, b, team));
        assert!(matches("path", t, b, team));
        assert!(!matches("pathway court", t, b, team));
        assert!(!matches("pathwayplan", t, b, team));
    }
}
