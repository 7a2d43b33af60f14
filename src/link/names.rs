//! Normalising names for matching, with what people's names need: case, diacritics,
//! punctuation, initials, honorifics ("Sen.", "President"), generational suffixes
//! ("Jr.", "III"), inverted "Last, First" forms and common nicknames.
//!
//! A name gives a series of keys, from the strictest to the loosest ([`Tier`]). Two
//! names match at a tier when their keys for that tier are equal (and, from
//! [`Tier::Core`] on, their generational suffixes do not disagree); the stricter the
//! tier, the higher the score. [`crate::link`] indexes target labels by these keys.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// How loosely two names were found equal, strictest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// The same text, spaces aside.
    Exact,
    /// The same once case, diacritics and punctuation are folded.
    Folded,
    /// The same without honorifics and generational suffixes (which may not disagree).
    Core,
    /// The same first and last name, middle names and initials aside.
    FirstLast,
    /// The same first and last name once nicknames are expanded (Bob → Robert).
    Nickname,
}

impl Tier {
    pub const ALL: [Tier; 5] = [Tier::Exact, Tier::Folded, Tier::Core, Tier::FirstLast, Tier::Nickname];

    /// The score of a match at this tier, before penalties for aliases.
    pub fn score(self) -> f64 {
        match self {
            Tier::Exact => 1.0,
            Tier::Folded => 0.95,
            Tier::Core => 0.9,
            Tier::FirstLast => 0.85,
            Tier::Nickname => 0.8,
        }
    }

    /// What the tier means, for the review report.
    pub fn describe(self) -> &'static str {
        match self {
            Tier::Exact => "same name",
            Tier::Folded => "same name up to case, accents and punctuation",
            Tier::Core => "same name without titles and suffixes",
            Tier::FirstLast => "same first and last name",
            Tier::Nickname => "same first and last name with a nickname expanded",
        }
    }
}

/// A name taken apart for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// Whitespace collapsed, otherwise as written.
    pub exact: String,
    /// Every word, folded as `words` folds them.
    pub folded: String,
    /// The words without leading honorifics and trailing suffixes.
    pub core: Vec<String>,
    /// A generational suffix, canonical: `jr`, `sr`, `ii`, `iii`, `iv`, `v`.
    pub suffix: Option<&'static str>,
}

/// Honorifics and offices written before a name; removed from the start of the core.
pub(super) const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "rev",
    "reverend",
    "hon",
    "honorable",
    "honourable",
    "the",
    "sen",
    "senator",
    "rep",
    "representative",
    "congressman",
    "congresswoman",
    "del",
    "delegate",
    "gov",
    "governor",
    "lt",
    "lieutenant",
    "president",
    "vice",
    "former",
    "speaker",
    "leader",
    "majority",
    "minority",
    "secretary",
    "sec",
    "attorney",
    "general",
    "gen",
    "mayor",
    "judge",
    "justice",
    "chief",
    "prime",
    "minister",
    "ambassador",
    "amb",
    "col",
    "colonel",
    "capt",
    "captain",
    "adm",
    "admiral",
    "sgt",
    "sergeant",
];

/// Generational suffixes, by how they are written, with their canonical form.
pub(super) const GENERATIONS: &[(&str, &str)] = &[
    ("jr", "jr"),
    ("junior", "jr"),
    ("sr", "sr"),
    ("senior", "sr"),
    ("ii", "ii"),
    ("2nd", "ii"),
    ("iii", "iii"),
    ("3rd", "iii"),
    ("iv", "iv"),
    ("4th", "iv"),
    ("v", "v"),
];

/// Credentials and post-nominals written after a name; dropped.
pub(super) const POSTNOMINALS: &[&str] = &[
    "md", "phd", "esq", "dds", "cpa", "jd", "rn", "ret", "usn", "usa", "usmc", "mp",
];

/// Common English nicknames and short forms → the given name they stand for.
pub(super) const NICKNAMES: &[(&str, &str)] = &[
    ("abe", "abraham"),
    ("al", "albert"),
    ("alex", "alexander"),
    ("andy", "andrew"),
    ("annie", "ann"),
    ("anne", "ann"),
    ("barb", "barbara"),
    ("ben", "benjamin"),
    ("bernie", "bernard"),
    ("beth", "elizabeth"),
    ("betsy", "elizabeth"),
    ("bill", "william"),
    ("billy", "william"),
    ("bob", "robert"),
    ("bobby", "robert"),
    ("brad", "bradley"),
    ("cathy", "catherine"),
    ("charlie", "charles"),
    ("chris", "christopher"),
    ("chuck", "charles"),
    ("cindy", "cynthia"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("dave", "david"),
    ("debbie", "deborah"),
    ("deb", "deborah"),
    ("denny", "dennis"),
    ("dick", "richard"),
    ("don", "donald"),
    ("doug", "douglas"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("fred", "frederick"),
    ("gerry", "gerald"),
    ("greg", "gregory"),
    ("hank", "henry"),
    ("jack", "john"),
    ("jeff", "jeffrey"),
    ("jerry", "gerald"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("joe", "joseph"),
    ("joey", "joseph"),
    ("jon", "jonathan"),
    ("ken", "kenneth"),
    ("kathy", "katherine"),
    ("kate", "katherine"),
    ("larry", "lawrence"),
    ("liz", "elizabeth"),
    ("matt", "matthew"),
    ("mike", "michael"),
    ("mick", "michael"),
    ("mitch", "mitchell"),
    ("nick", "nicholas"),
    ("pat", "patrick"),
    ("pete", "peter"),
    ("phil", "philip"),
    ("randy", "randall"),
    ("ray", "raymond"),
    ("rich", "richard"),
    ("rick", "richard"),
    ("rob", "robert"),
    ("ron", "ronald"),
    ("russ", "russell"),
    ("sam", "samuel"),
    ("sandy", "sandra"),
    ("steve", "stephen"),
    ("steven", "stephen"),
    ("sue", "susan"),
    ("ted", "edward"),
    ("terry", "terrence"),
    ("tim", "timothy"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("tony", "anthony"),
    ("vince", "vincent"),
    ("walt", "walter"),
    ("will", "william"),
];

/// Folds a name for comparison: compatibility decomposition with the accents dropped,
/// letters without a decomposition spelled out (ø → o, ß → ss), lower case, apostrophes
/// removed, any other punctuation a space, runs of single letters joined ("J. D." → "jd"),
/// one space between words. Linking compares [`Name`]s, built on the same words; this
/// whole-name form is for the tests.
#[cfg(test)]
fn normalize_name(name: &str) -> String {
    words(name).join(" ")
}

pub(super) fn words(name: &str) -> Vec<String> {
    let mut flat = String::with_capacity(name.len());
    for c in name.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            '\'' | '’' | 'ʼ' | '‘' | '`' | '´' => {}
            'ø' | 'Ø' => flat.push('o'),
            'ł' | 'Ł' => flat.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => flat.push('d'),
            'ß' => flat.push_str("ss"),
            'æ' | 'Æ' => flat.push_str("ae"),
            'œ' | 'Œ' => flat.push_str("oe"),
            'þ' | 'Þ' => flat.push_str("th"),
            'ı' => flat.push('i'),
            c if c.is_alphanumeric() => flat.extend(c.to_lowercase()),
            _ => flat.push(' '),
        }
    }
    let mut words: Vec<String> = Vec::new();
    let mut in_initials = false;
    for word in flat.split_whitespace() {
        let initial = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
        match words.last_mut() {
            Some(last) if initial && in_initials => last.push_str(word),
            _ => words.push(word.to_owned()),
        }
        in_initials = initial;
    }
    words
}

impl Name {
    /// Takes `text` apart. "Last, First" is turned around unless what follows the comma
    /// is a suffix ("Al Lawson, Jr.").
    pub fn parse(text: &str) -> Self {
        let exact = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut words = match exact.split_once(',') {
            Some((last, first)) if !first.contains(',') && !is_suffix_phrase(first) && !words(first).is_empty() => {
                let mut turned = words(first);
                turned.extend(words(last));
                turned
            }
            _ => words(&exact),
        };
        let folded = words.join(" ");
        let mut suffix = None;
        while words.len() > 1 {
            let last = words.last().map(String::as_str).unwrap_or_default();
            if let Some((_, canonical)) = GENERATIONS.iter().find(|(w, _)| *w == last) {
                suffix = suffix.or(Some(*canonical));
            } else if !POSTNOMINALS.contains(&last) {
                break;
            }
            words.pop();
        }
        let leading = words
            .iter()
            .take_while(|w| HONORIFICS.contains(&w.as_str()))
            .count()
            .min(words.len().saturating_sub(1));
        words.drain(..leading);
        Self {
            exact,
            folded,
            core: words,
            suffix,
        }
    }

    /// The key of this name at `tier`, if the tier applies to it (first and last name
    /// need two words).
    pub fn key(&self, tier: Tier) -> Option<String> {
        match tier {
            Tier::Exact => Some(self.exact.clone()).filter(|k| !k.is_empty()),
            Tier::Folded => Some(self.folded.clone()).filter(|k| !k.is_empty()),
            Tier::Core => Some(self.core.join(" ")).filter(|k| !k.is_empty()),
            Tier::FirstLast => match self.core.as_slice() {
                [first, .., last] => Some(format!("{first} {last}")),
                _ => None,
            },
            Tier::Nickname => match self.core.as_slice() {
                [first, .., last] => {
                    let first = NICKNAMES
                        .iter()
                        .find(|(nick, _)| nick == first)
                        .map_or(first.as_str(), |(_, given)| given);
                    Some(format!("{first} {last}"))
                }
                _ => None,
            },
        }
    }

    /// Whether the two names' generational suffixes allow them to be the same person:
    /// "John Smith Jr." is not "John Smith Sr.", but may be "John Smith".
    pub fn suffixes_agree(&self, other: &Name) -> bool {
        match (self.suffix, other.suffix) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }

    /// The strictest tier at which the two names match, if any.
    pub fn matches(&self, other: &Name) -> Option<Tier> {
        Tier::ALL.into_iter().find(|&tier| {
            (tier < Tier::Core || self.suffixes_agree(other))
                && self
                    .key(tier)
                    .is_some_and(|key| other.key(tier).as_deref() == Some(&key))
        })
    }
}

/// Whether `text` (what follows a comma) is only suffixes and credentials.
fn is_suffix_phrase(text: &str) -> bool {
    let words = words(text);
    !words.is_empty()
        && words
            .iter()
            .all(|w| GENERATIONS.iter().any(|(g, _)| g == w) || POSTNOMINALS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(a: &str, b: &str) -> Option<Tier> {
        let tier = Name::parse(a).matches(&Name::parse(b));
        assert_eq!(
            tier,
            Name::parse(b).matches(&Name::parse(a)),
            "{a} / {b}: not symmetric"
        );
        tier
    }

    #[test]
    fn case_diacritics_and_punctuation_fold() {
        assert_eq!(normalize_name("  Raúl  GRIJALVA "), "raul grijalva");
        assert_eq!(normalize_name("Beto O’Rourke"), "beto orourke");
        assert_eq!(normalize_name("J.D. Vance"), "jd vance");
        assert_eq!(normalize_name("CHUCK SCHUMER"), "chuck schumer");
        assert_eq!(normalize_name("Joaquín Castro"), "joaquin castro");
        assert_eq!(normalize_name("Alexandria Ocasio-Cortez"), "alexandria ocasio cortez");
        assert_eq!(normalize_name("Lech Wałęsa"), "lech walesa");
        assert_eq!(normalize_name("Søren Kierkegaard"), "soren kierkegaard");
        assert_eq!(normalize_name("Wolfgang Schäuble"), "wolfgang schauble");
        assert_eq!(normalize_name("Straßburg"), "strassburg");
        assert_eq!(normalize_name("George H.W. Bush"), "george hw bush");
        assert_eq!(normalize_name("George H. W. Bush"), "george hw bush");
        assert_eq!(normalize_name("John F. Kennedy"), "john f kennedy");
        assert_eq!(normalize_name("Beto O'Rourke"), normalize_name("Beto O’Rourke"));
        assert_eq!(normalize_name(" ... "), "");
    }

    #[test]
    fn tiers_go_from_exact_to_nickname() {
        assert_eq!(tier("Mike Thompson", "Mike Thompson"), Some(Tier::Exact));
        assert_eq!(tier("Mike  Thompson ", "Mike Thompson"), Some(Tier::Exact));
        assert_eq!(tier("MIke DeWine", "Mike Dewine"), Some(Tier::Folded));
        assert_eq!(tier("Raul Grijalva", "Raúl Grijalva"), Some(Tier::Folded));
        assert_eq!(tier("Sen. Kamala Harris", "Kamala Harris"), Some(Tier::Core));
        assert_eq!(tier("president Barack Obama", "Barack Obama"), Some(Tier::Core));
        assert_eq!(tier("Emanuel Cleaver II", "Emanuel Cleaver"), Some(Tier::Core));
        assert_eq!(tier("Alfred Lawson, Jr.", "Alfred Lawson Jr"), Some(Tier::Folded));
        assert_eq!(tier("Carolyn B. Maloney", "Carolyn Maloney"), Some(Tier::FirstLast));
        assert_eq!(tier("Robert Jones Portman", "Rob Portman"), Some(Tier::Nickname));
        assert_eq!(tier("Chuck Schumer", "Charles Schumer"), Some(Tier::Nickname));
        assert_eq!(tier("Kamala Harris", "Kamala Devi Harris"), Some(Tier::FirstLast));
    }

    #[test]
    fn inverted_names_turn_around_but_suffixes_stay() {
        assert_eq!(tier("Bush, George W.", "George W. Bush"), Some(Tier::Folded));
        let lawson = Name::parse("Al Lawson, Jr.");
        assert_eq!(lawson.core, ["al", "lawson"]);
        assert_eq!(lawson.suffix, Some("jr"));
    }

    #[test]
    fn different_people_do_not_match() {
        assert_eq!(tier("Joseph P. Kennedy II", "Joseph P. Kennedy III"), None);
        assert_eq!(tier("John Smith Jr.", "John Smith Sr."), None);
        assert_eq!(tier("Mike Thompson", "Mike Johnson"), None);
        assert_eq!(tier("Bill Foster", "Bill Fester"), None);
        assert_eq!(tier("Jon Tester", "John Tester"), None);
        // One word: no first-and-last tiers.
        assert_eq!(Name::parse("Young").key(Tier::FirstLast), None);
        // A lone honorific is kept rather than leaving nothing.
        assert_eq!(Name::parse("Senator").core, ["senator"]);
    }
}
