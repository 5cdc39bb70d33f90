//! Long lists shown a page at a time.

/// The `page`th page (from 1) of `items`, `per_page` to a page, with the page actually shown
/// and how many there are. A page past the end shows the last; page 0 the first. An empty
/// list is one empty page.
pub fn page_of<T>(items: Vec<T>, page: u32, per_page: usize) -> (Vec<T>, u32, u32) {
    let per_page = per_page.max(1);
    let pages = items.len().div_ceil(per_page).max(1);
    let pages = u32::try_from(pages).unwrap_or(u32::MAX);
    let page = page.clamp(1, pages);
    let start = (page as usize - 1).saturating_mul(per_page);
    let shown = items.into_iter().skip(start).take(per_page).collect();
    (shown, page, pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_split_evenly_and_the_last_holds_the_rest() {
        let items: Vec<u32> = (1..=120).collect();
        assert_eq!(page_of(items.clone(), 1, 50), ((1..=50).collect(), 1, 3));
        assert_eq!(page_of(items.clone(), 3, 50), ((101..=120).collect(), 3, 3));
        assert_eq!(page_of((1..=100).collect::<Vec<u32>>(), 2, 50).2, 2);
    }

    #[test]
    fn pages_out_of_range_show_the_nearest_and_empty_lists_one_page() {
        let items: Vec<u32> = (1..=120).collect();
        assert_eq!(page_of(items.clone(), 9, 50), ((101..=120).collect(), 3, 3));
        assert_eq!(page_of(items, 0, 50).1, 1);
        assert_eq!(page_of(Vec::<u32>::new(), 4, 50), (Vec::new(), 1, 1));
        assert_eq!(page_of(vec![1, 2], 1, 0), (vec![1], 1, 2));
    }
}
