//! Public case references (`UB-7K3QF9`): what the merchant quotes to `/status` and what staff
//! type into `/case`.

use super::norm;
use super::{CaseKind, Invalid};
use serde::{Deserialize, Serialize};

/// A public case reference: the kind's two-letter prefix, a dash, and six characters from
/// [`CaseRef::ALPHABET`]. Serialized as its text; deserializing validates it as
/// [`CaseRef::parse`] does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct CaseRef(String);

impl CaseRef {
    /// Digits and capitals without the look-alikes 0/O, 1/I/L, so a reference read aloud on the
    /// phone or copied from a screenshot survives. 31 symbols, 6 places: about 8.9 × 10⁸ values.
    pub const ALPHABET: &'static [u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    /// Characters after the dash.
    pub const CODE_LEN: usize = 6;

    /// A reference for `kind` derived from `entropy` (the caller passes random bits in
    /// production and fixed numbers in tests). The bits are mixed first (SplitMix64), so
    /// consecutive or low-entropy inputs still give unrelated-looking codes. Uniqueness is the
    /// store's job: on a collision it generates again with new entropy.
    pub fn generate(kind: CaseKind, entropy: u64) -> CaseRef {
        let mut x = splitmix64(entropy);
        let mut s = String::with_capacity(3 + Self::CODE_LEN);
        s.push_str(kind.ref_prefix());
        s.push('-');
        let base = Self::ALPHABET.len() as u64;
        for _ in 0..Self::CODE_LEN {
            s.push(char::from(Self::ALPHABET[(x % base) as usize]));
            x /= base;
        }
        CaseRef(s)
    }

    /// The reference of a merchant's note to staff (`NT-7K3QF9`): the same alphabet and length
    /// as a case's, with a prefix no case kind has, so it is never read as a case reference.
    pub fn note(entropy: u64) -> String {
        let code = &Self::generate(CaseKind::Unbind, entropy).0[3..];
        format!("{}-{code}", Self::NOTE_PREFIX)
    }

    /// Prefix of [`CaseRef::note`] references.
    pub const NOTE_PREFIX: &'static str = "NT";

    /// Accepts `UB-7K3QF9`, `ub-7k3qf9`, `UB7K3QF9`, `UB 7K3QF9`, `#UB-7K3QF9`, full-width
    /// characters. The prefix must be one of the case kinds'.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let cleaned = norm::clean(input);
        let compact: String = cleaned
            .trim_start_matches('#')
            .chars()
            .filter(|c| !c.is_whitespace() && !norm::is_dash(*c))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.len() != 2 + Self::CODE_LEN || !compact.is_ascii() {
            return Err(Invalid::CaseRefMalformed);
        }
        let (prefix, code) = compact.split_at(2);
        if !CaseKind::ALL.iter().any(|k| k.ref_prefix() == prefix)
            || !code.bytes().all(|b| Self::ALPHABET.contains(&b))
        {
            return Err(Invalid::CaseRefMalformed);
        }
        Ok(CaseRef(format!("{prefix}-{code}")))
    }

    /// A reference as the store keeps it: only the canonical form [`CaseRef::parse`] and
    /// [`CaseRef::generate`] produce (`UB-7K3QF9`), taken without normalizing or copying, so
    /// reading a row back costs a check of nine bytes. `None` for any other text.
    pub fn from_canonical(text: String) -> Option<CaseRef> {
        let b = text.as_bytes();
        let canonical = b.len() == 3 + Self::CODE_LEN
            && b[2] == b'-'
            && CaseKind::ALL
                .iter()
                .any(|k| k.ref_prefix().as_bytes() == &b[..2])
            && b[3..].iter().all(|c| Self::ALPHABET.contains(c));
        canonical.then_some(CaseRef(text))
    }

    /// The case kind named by the prefix.
    pub fn kind(&self) -> Option<CaseKind> {
        let prefix = self.0.get(..2)?;
        CaseKind::ALL.into_iter().find(|k| k.ref_prefix() == prefix)
    }
}

fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

string_value!(CaseRef);

impl From<CaseRef> for String {
    fn from(case_ref: CaseRef) -> String {
        case_ref.0
    }
}

impl From<&CaseRef> for String {
    fn from(case_ref: &CaseRef) -> String {
        case_ref.0.clone()
    }
}

/// A reference equals the text it prints as (`UB-7K3QF9`, never another spelling).
impl PartialEq<str> for CaseRef {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for CaseRef {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl TryFrom<String> for CaseRef {
    type Error = Invalid;

    fn try_from(text: String) -> Result<CaseRef, Invalid> {
        CaseRef::parse(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generate_is_deterministic_and_well_formed() {
        for kind in CaseKind::ALL {
            for entropy in [0, 1, 2, 42, u64::MAX] {
                let r = CaseRef::generate(kind, entropy);
                assert_eq!(r, CaseRef::generate(kind, entropy));
                assert_eq!(r.as_str().len(), 9);
                assert!(r.as_str().starts_with(kind.ref_prefix()));
                assert_eq!(&r.as_str()[2..3], "-");
                assert_eq!(CaseRef::parse(r.as_str()), Ok(r.clone()));
                assert_eq!(r.kind(), Some(kind));
                for c in ['0', '1', 'O', 'I', 'L'] {
                    assert!(!r.as_str()[3..].contains(c), "{r}");
                }
            }
        }
        assert_ne!(
            CaseRef::generate(CaseKind::Unbind, 1),
            CaseRef::generate(CaseKind::Unbind, 2)
        );
    }

    #[test]
    fn note_references_are_never_case_references() {
        for entropy in [0, 1, 42, u64::MAX] {
            let note = CaseRef::note(entropy);
            assert!(note.starts_with("NT-") && note.len() == 9, "{note}");
            assert_eq!(CaseRef::parse(&note), Err(Invalid::CaseRefMalformed));
        }
        assert!(CaseKind::ALL
            .iter()
            .all(|k| k.ref_prefix() != CaseRef::NOTE_PREFIX));
    }

    #[test]
    fn generate_spreads_sequential_entropy() {
        let codes: HashSet<String> = (0..10_000u64)
            .map(|e| CaseRef::generate(CaseKind::Cancel, e).as_str().to_string())
            .collect();
        assert_eq!(codes.len(), 10_000);
    }

    #[test]
    fn parse_is_lenient_about_case_dash_and_width() {
        for s in [
            "UB-7K3QF9",
            "ub-7k3qf9",
            "UB7K3QF9",
            "ub 7k3qf9",
            " #UB-7K3QF9 ",
            "ＵＢ－７Ｋ３ＱＦ９",
            "UB—7K3QF9",
        ] {
            assert_eq!(
                CaseRef::parse(s).map(|r| r.to_string()),
                Ok("UB-7K3QF9".into()),
                "{s:?}"
            );
        }
        assert_eq!(
            CaseRef::parse("cl-abcdef").unwrap().kind(),
            Some(CaseKind::Close)
        );
    }

    #[test]
    fn only_the_canonical_form_is_taken_as_stored() {
        let r = CaseRef::parse("ub 7k3qf9").unwrap();
        assert_eq!(CaseRef::from_canonical(r.to_string()), Some(r.clone()));
        for s in [
            "ub-7k3qf9",
            "UB7K3QF9",
            " UB-7K3QF9",
            "XX-7K3QF9",
            "UB-7K3QF0",
            "UB-7K3QF9X",
            "",
        ] {
            assert_eq!(CaseRef::from_canonical(s.to_string()), None, "{s:?}");
        }
    }

    #[test]
    fn serde_validates_as_parse_does() {
        let r: CaseRef = serde_json::from_str("\"ub-7k3qf9\"").unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"UB-7K3QF9\"");
        assert!(serde_json::from_str::<CaseRef>("\"UB-NOPE00\"").is_err());
    }

    #[test]
    fn parse_refuses_malformed() {
        for s in [
            "",
            "UB-",
            "UB-7K3QF",
            "UB-7K3QF99",
            "XX-7K3QF9",
            "UB-7K3QF0",
            "UB-7K3QFO",
            "UB-7K3QFI",
            "UB-7K3QF1",
            "UB-7K3QFL",
            "UB-7K3QF九",
            "7K3QF9",
            "UBUB-7K3QF9",
        ] {
            assert_eq!(CaseRef::parse(s), Err(Invalid::CaseRefMalformed), "{s:?}");
        }
    }
}
