//! "Did you mean ...?" suggestions by edit distance.

/// The edit distance between two words (insertions, deletions, substitutions
/// and swaps of neighbouring letters each count one), ignoring case.
#[allow(
    clippy::indexing_slicing,
    reason = "every index is below `width`, the length of all three rows"
)]
pub fn edit_distance(left: &str, right: &str) -> usize {
    let left: Vec<char> = left.to_lowercase().chars().collect();
    let right: Vec<char> = right.to_lowercase().chars().collect();
    let width = right.len() + 1;
    // Three rows of the dynamic-programming table are enough for swaps.
    let mut before_previous = vec![0usize; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current = vec![0usize; width];
    for (row, left_char) in left.iter().enumerate() {
        current[0] = row + 1;
        for (column, right_char) in right.iter().enumerate() {
            let substitution = previous[column] + usize::from(left_char != right_char);
            let deletion = previous[column + 1] + 1;
            let insertion = current[column] + 1;
            let mut best = substitution.min(deletion).min(insertion);
            if row > 0
                && column > 0
                && left.get(row) == right.get(column - 1)
                && left.get(row - 1) == right.get(column)
            {
                best = best.min(before_previous[column - 1] + 1);
            }
            current[column + 1] = best;
        }
        std::mem::swap(&mut before_previous, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[right.len()]
}

/// The longest word for which a spelling is proposed.
pub const MAX_SUGGESTED_LENGTH: usize = 200;

/// The most candidates compared with one word: a rule set of 100,000 facts
/// proposes a spelling from its first 10,000, so that a case of many
/// unknown names costs at most that much per name.
pub const MAX_CANDIDATES: usize = 10_000;

/// The candidate closest to `word`, if it is close enough to be a likely typo.
///
/// A candidate qualifies when its distance is at most a third of the longer
/// word's length (and at least one edit is always allowed). Among equally
/// close candidates, one of the word's own length wins (`fro` is `for` with
/// two letters swapped sooner than `from` with one left out), then the
/// first, so the answer is deterministic.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<((usize, bool), &'a str)> = None;
    let word_length = word.chars().count();
    // A word longer than any name is nobody's typo: comparing it would cost
    // its length times each candidate's.
    if word_length > MAX_SUGGESTED_LENGTH {
        return None;
    }
    for candidate in candidates.into_iter().take(MAX_CANDIDATES) {
        if candidate == word {
            continue;
        }
        // A dotted name whose last part matches exactly is a good guess too:
        // `blood_lead` for `lab.blood_lead`.
        let tail_match = candidate
            .rsplit('.')
            .next()
            .is_some_and(|tail| tail == word && candidate.contains('.'));
        let candidate_length = candidate.chars().count();
        let longest = word_length.max(candidate_length);
        let allowed = (longest / 3).max(1);
        // Lengths further apart than the edits allowed cannot be close.
        if !tail_match && word_length.abs_diff(candidate_length) > allowed {
            continue;
        }
        let distance = if tail_match {
            1
        } else {
            edit_distance(word, candidate)
        };
        let rank = (distance, candidate_length != word_length);
        if distance <= allowed && best.is_none_or(|(best_rank, _)| rank < best_rank) {
            best = Some((rank, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_each_kind_of_edit() {
        assert_eq!(edit_distance("when", "when"), 0);
        assert_eq!(edit_distance("whn", "when"), 1);
        assert_eq!(edit_distance("whne", "when"), 1);
        assert_eq!(edit_distance("wehn", "when"), 1);
        assert_eq!(edit_distance("then", "when"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_only_close_words() {
        let facts = ["lab.blood_lead", "lab.alkaline_phosphatase", "age"];
        assert_eq!(did_you_mean("lab.blod_lead", facts), Some("lab.blood_lead"));
        assert_eq!(did_you_mean("blood_lead", facts), Some("lab.blood_lead"));
        assert_eq!(did_you_mean("weight", facts), None);
        assert_eq!(did_you_mean("ag", facts), Some("age"));
    }

    #[test]
    fn a_swap_wins_over_a_missing_letter() {
        assert_eq!(did_you_mean("fro", ["from", "for"]), Some("for"));
        assert_eq!(did_you_mean("frm", ["from", "for"]), Some("from"));
    }
}
