//! Vietnamese name order. Rosters are read by given name (the last word), then by the
//! whole name, in the Vietnamese alphabet (a ă â b c d đ e ê … o ô ơ … u ư …); tone
//! marks only break ties. Byte order would put "Đức" after "Xuân".

use unicode_normalization::UnicodeNormalization;

/// A key that sorts full names the way a Vietnamese roster lists them.
pub fn name_order_key(full_name: &str) -> (Vec<u32>, Vec<u32>) {
    let given = full_name.split_whitespace().last().unwrap_or_default();
    (collation_key(given), collation_key(full_name))
}

/// A key that sorts place names (a commune, a cell) by the whole name, in the Vietnamese
/// alphabet: "Đông Sơn" before "Xuân Hòa".
pub fn place_order_key(name: &str) -> Vec<u32> {
    collation_key(name)
}

/// Letters first (with their vowel marks), then the tones as a second level.
fn collation_key(text: &str) -> Vec<u32> {
    let mut letters = Vec::new();
    let mut tones = Vec::new();
    for c in text.to_lowercase().nfd() {
        match c {
            // Marks that make another letter: ă (breve), â ê ô (circumflex), ơ ư (horn).
            '\u{0306}' => bump(&mut letters, 1),
            '\u{0302}' => bump(&mut letters, 2),
            '\u{031B}' => bump(&mut letters, 3),
            // Tones, in dictionary order: huyền, hỏi, ngã, sắc, nặng.
            '\u{0300}' => tones.push(1),
            '\u{0309}' => tones.push(2),
            '\u{0303}' => tones.push(3),
            '\u{0301}' => tones.push(4),
            '\u{0323}' => tones.push(5),
            'đ' => letters.push(u32::from('d') * 4 + 1),
            c if c.is_whitespace() => letters.push(1),
            c => letters.push(u32::from(c) * 4),
        }
    }
    letters.push(0);
    letters.extend(tones);
    letters
}

fn bump(letters: &mut [u32], by: u32) {
    if let Some(last) = letters.last_mut() {
        *last += by;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_roster_is_ordered_by_given_name_in_the_vietnamese_alphabet() {
        let mut names = vec![
            "Lò Thị Xuân",
            "Nông Văn Đức",
            "Lò Văn Thắng",
            "Đinh Văn Ân",
            "Vàng A Páo",
            "Lục Văn Dũng",
            "Hoàng Thị Ánh",
        ];
        names.sort_by_key(|name| name_order_key(name));
        assert_eq!(
            names,
            [
                "Hoàng Thị Ánh",
                "Đinh Văn Ân",
                "Lục Văn Dũng",
                "Nông Văn Đức",
                "Vàng A Páo",
                "Lò Văn Thắng",
                "Lò Thị Xuân"
            ]
        );
    }

    #[test]
    fn tones_only_break_ties_and_the_family_name_follows() {
        let mut names = vec!["Lò Văn Mạnh", "Cầm Văn Mạnh", "Lò Văn Mành", "Lò Văn Manh"];
        names.sort_by_key(|name| name_order_key(name));
        assert_eq!(
            names,
            ["Lò Văn Manh", "Lò Văn Mành", "Cầm Văn Mạnh", "Lò Văn Mạnh"]
        );
    }
}
