//! Plain English for counts, one style everywhere: "1 required action", "2 required actions".

/// `n` with the noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "time", "times"), "1 time");
        assert_eq!(count(0, "time", "times"), "0 times");
        assert_eq!(
            count(2, "required action", "required actions"),
            "2 required actions"
        );
    }
}
