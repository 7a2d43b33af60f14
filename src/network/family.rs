//! CAMEO's four families of acts (GDELT's QuadClass), from an act's CAMEO code.
//!
//! GDELT's codebook names the classes (1 verbal cooperation, 2 material cooperation, 3
//! verbal conflict, 4 material conflict) but not the roots in each. The roots come from
//! GDELT's own rows: in every real export file in `../shared/data/gdelt-events` (7,217
//! events), roots 01–05 carry QuadClass 1, 06–09 QuadClass 2, 10–14 QuadClass 3 and 15–20
//! QuadClass 4, without exception. (09, "investigate", is material cooperation there, and
//! 14, "protest", verbal conflict.) Acts without a CAMEO code (`report`, `reply`, acts of
//! other schemes) are `Other`.

/// An act's family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    VerbalCooperation,
    MaterialCooperation,
    VerbalConflict,
    MaterialConflict,
    Other,
}

impl Family {
    /// Every family, in legend order.
    pub const ALL: [Self; 5] = [
        Self::VerbalCooperation,
        Self::MaterialCooperation,
        Self::VerbalConflict,
        Self::MaterialConflict,
        Self::Other,
    ];

    /// The family of a CAMEO code (`"130"`, `"0211"`, `"01"`): by its two-digit root.
    pub fn of(cameo: Option<&str>) -> Self {
        let root = cameo
            .filter(|c| c.len() >= 2 && c.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|c| c[..2].parse::<u8>().ok());
        match root {
            Some(1..=5) => Self::VerbalCooperation,
            Some(6..=9) => Self::MaterialCooperation,
            Some(10..=14) => Self::VerbalConflict,
            Some(15..=20) => Self::MaterialConflict,
            _ => Self::Other,
        }
    }

    /// The family by its slug (`verbal-conflict`), as `--act` and the page take it.
    pub fn by_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.slug() == slug)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::VerbalCooperation => "verbal-cooperation",
            Self::MaterialCooperation => "material-cooperation",
            Self::VerbalConflict => "verbal-conflict",
            Self::MaterialConflict => "material-conflict",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::VerbalCooperation => "verbal cooperation",
            Self::MaterialCooperation => "material cooperation",
            Self::VerbalConflict => "verbal conflict",
            Self::MaterialConflict => "material conflict",
            Self::Other => "other",
        }
    }

    /// The colour every picture draws the family's edges in (colour-blind-safe: Okabe–Ito).
    pub fn colour(self) -> &'static str {
        match self {
            Self::VerbalCooperation => "#009e73",
            Self::MaterialCooperation => "#0072b2",
            Self::VerbalConflict => "#e69f00",
            Self::MaterialConflict => "#d55e00",
            Self::Other => "#888888",
        }
    }

    /// The CAMEO roots of the family, as `--act` expands it (none for `Other`).
    pub fn roots(self) -> std::ops::RangeInclusive<u8> {
        match self {
            Self::VerbalCooperation => 1..=5,
            Self::MaterialCooperation => 6..=9,
            Self::VerbalConflict => 10..=14,
            Self::MaterialConflict => 15..=20,
            #[expect(clippy::reversed_empty_ranges, reason = "no CAMEO root is `other`")]
            Self::Other => 1..=0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fall_into_gdelt_quad_classes_by_root() {
        assert_eq!(Family::of(Some("010")), Family::VerbalCooperation);
        assert_eq!(Family::of(Some("0211")), Family::VerbalCooperation);
        assert_eq!(Family::of(Some("051")), Family::VerbalCooperation);
        assert_eq!(Family::of(Some("090")), Family::MaterialCooperation);
        assert_eq!(Family::of(Some("130")), Family::VerbalConflict);
        assert_eq!(Family::of(Some("145")), Family::VerbalConflict);
        assert_eq!(Family::of(Some("20")), Family::MaterialConflict);
        assert_eq!(Family::of(Some("21")), Family::Other);
        assert_eq!(Family::of(None), Family::Other);
        assert_eq!(Family::of(Some("x1")), Family::Other);
        for family in Family::ALL {
            assert_eq!(Family::by_slug(family.slug()), Some(family));
            for root in family.roots() {
                assert_eq!(Family::of(Some(&format!("{root:02}"))), family);
            }
        }
    }

    /// The roots agree with GDELT's own QuadClass on real rows: the fixture cut from them,
    /// and every sample in `../shared/data` where it is beside the clone.
    #[test]
    fn roots_agree_with_gdelt_rows() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("tests/fixtures/gdelt/export-2.0/input.CSV")];
        let shared = root.join("../shared/data/gdelt-events");
        for entry in std::fs::read_dir(shared).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "CSV") {
                files.push(entry.path());
            }
        }
        let mut checked = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for line in text.lines() {
                let cells: Vec<&str> = line.split('\t').collect();
                // GDELT 2.0 rows: EventRootCode is column 28, QuadClass 29 (0-based).
                if cells.len() != 61 {
                    continue;
                }
                let expected = match cells[29] {
                    "1" => Family::VerbalCooperation,
                    "2" => Family::MaterialCooperation,
                    "3" => Family::VerbalConflict,
                    "4" => Family::MaterialConflict,
                    _ => continue,
                };
                assert_eq!(Family::of(Some(cells[28])), expected, "{}: {line}", file.display());
                checked += 1;
            }
        }
        assert!(checked > 0, "no GDELT 2.0 rows in tests/fixtures/gdelt");
    }
}
