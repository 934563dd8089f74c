//! Terminal serial numbers (SN) and IMEIs.
//!
//! Serials are printed on a label under the terminal or in the battery bay, and shown in the
//! provider's app under 设备管理. Merchants copy them with the label's own spacing and often with
//! the `SN:` in front; the review team needs exactly the characters, upper case, to look the
//! device up.

use super::norm;
use super::Invalid;
use serde::{Deserialize, Serialize};

/// A terminal serial number or IMEI: 6–32 of `[A-Z0-9]` with at least one digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceSerial(String);

/// Labels in front of the value, as they appear on terminal labels and in apps.
const LABELS: &[&str] = &[
    "SN",
    "SN号",
    "SN码",
    "S/N",
    "序列号",
    "机身序列号",
    "设备序列号",
    "终端序列号",
    "设备SN",
    "机身号",
    "串号",
    "IMEI",
    "IMEI号",
    "IMEI码",
];

impl DeviceSerial {
    /// Strips spaces and dashes and an optional label (`SN`, `SN:`, `序列号`, `IMEI`), upper-cases.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = norm::compact_id(input, LABELS);
        if value.is_empty() {
            return Err(Invalid::SerialTooShort);
        }
        if !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Invalid::SerialInvalidChars);
        }
        if value.len() < 6 {
            return Err(Invalid::SerialTooShort);
        }
        if value.len() > 32 {
            return Err(Invalid::SerialTooLong);
        }
        if !value.chars().any(|c| c.is_ascii_digit()) {
            return Err(Invalid::SerialNoDigit);
        }
        Ok(DeviceSerial(value))
    }
}

string_value!(DeviceSerial);

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        match DeviceSerial::parse(s) {
            Ok(v) => v.as_str().to_string(),
            Err(e) => panic!("{s:?} refused: {e:?}"),
        }
    }

    #[test]
    fn accepts_labels_spacing_and_case() {
        assert_eq!(ok("00001234567890"), "00001234567890");
        assert_eq!(ok("SN: n7nl-0012 3456"), "N7NL00123456");
        assert_eq!(ok("sn00001234"), "00001234");
        assert_eq!(ok("SN：ＡＢ１２３４５６"), "AB123456");
        assert_eq!(ok("序列号 QB12-3456-78"), "QB12345678");
        assert_eq!(ok("序列号是 QB12345678"), "QB12345678");
        assert_eq!(ok("IMEI 86 123456 789012 3"), "861234567890123");
        assert_eq!(ok("IMEI号：861234567890123"), "861234567890123");
        assert_eq!(ok("  q3nl\u{200B}123456 "), "Q3NL123456");
        assert_eq!(ok("A1B2C3"), "A1B2C3");
        assert_eq!(ok(&"7".repeat(32)), "7".repeat(32));
    }

    #[test]
    fn refuses_with_the_right_reason() {
        let long = "7".repeat(33);
        let cases = [
            ("", Invalid::SerialTooShort),
            ("SN:", Invalid::SerialTooShort),
            ("12345", Invalid::SerialTooShort),
            ("AB-12", Invalid::SerialTooShort),
            (long.as_str(), Invalid::SerialTooLong),
            ("ABCDEFGH", Invalid::SerialNoDigit),
            ("不知道在哪", Invalid::SerialInvalidChars),
            ("AB12_3456", Invalid::SerialInvalidChars),
            ("AB12/3456", Invalid::SerialInvalidChars),
            ("N7NL0012é", Invalid::SerialInvalidChars),
        ];
        for (s, want) in cases {
            assert_eq!(DeviceSerial::parse(s), Err(want), "{s:?}");
        }
    }

    #[test]
    fn serde_is_a_plain_string() {
        let v = DeviceSerial::parse("sn n7nl00123456").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"N7NL00123456\"");
        assert_eq!(v.to_string(), "N7NL00123456");
    }
}
