//! The guard on every form of each secret, and on what merchants legitimately type.

use super::*;

/// Our own Luhn check digit, so test card numbers are valid by construction.
fn with_luhn_digit(body: &str) -> String {
    (0..10)
        .map(|d| format!("{body}{d}"))
        .find(|s| luhn_valid(s))
        .unwrap()
}

/// Our own MOD 11-2 check character, so test ID numbers are valid by construction.
fn with_id_check(body17: &str) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17
        .bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body17}{check}")
}

fn group4(s: &str, sep: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(sep)
}

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
            other => other,
        })
        .collect()
}

#[test]
fn luhn_known_values() {
    assert!(luhn_valid("4111111111111111"));
    assert!(luhn_valid("79927398713"));
    assert!(luhn_valid("378282246310005"));
    assert!(!luhn_valid("4111111111111112"));
    assert!(!luhn_valid("79927398710"));
    assert!(!luhn_valid(""));
    assert!(!luhn_valid("0"));
    assert!(!luhn_valid("4111 1111 1111 1111"));
    assert!(!luhn_valid("４１１１１１１１１１１１１１１１"));
    let card = with_luhn_digit("622202123456789012");
    assert_eq!(card.len(), 19);
    assert!(luhn_valid(&card));
}

#[test]
fn id_number_checks() {
    // The sample number from GB 11643-1999.
    assert!(id_number_valid("11010519491231002X"));
    assert!(id_number_valid("11010519491231002x"));
    assert!(!id_number_valid("110105194912310021"));
    let id = with_id_check("44030419900307123");
    assert!(id_number_valid(&id));
    // Impossible birth dates fail even with a correct check character.
    assert!(!id_number_valid(&with_id_check("44030419900230123")));
    assert!(!id_number_valid(&with_id_check("44030418500307123")));
    assert!(!id_number_valid(&with_id_check("44030419901307123")));
    // Region code cannot start with 0.
    assert!(!id_number_valid(&with_id_check("04030419900307123")));
    assert!(!id_number_valid("4403041990030712"));
    assert!(!id_number_valid("44030419900307123X1"));
    assert!(!id_number_valid("4403041990030712XX"));
    assert!(!id_number_valid(""));
}

#[test]
fn finds_card_numbers_in_every_form() {
    let c19 = with_luhn_digit("622202123456789012");
    let c16 = with_luhn_digit("622848001234567");
    let visa = with_luhn_digit("411111111111111");
    let old = with_luhn_digit("955880123456789012");
    for text in [
        c19.clone(),
        c16.clone(),
        visa.clone(),
        old.clone(),
        group4(&c19, " "),
        group4(&c19, "-"),
        group4(&c16, " "),
        format!("我的卡号是{c19}，谢谢"),
        format!("卡号：{}", group4(&c16, " ")),
        format!("card {c16}"),
        fullwidth(&c19),
        format!("卡号 {}", fullwidth(&group4(&c16, " "))),
        format!("{}\u{200B}{}", &c16[..8], &c16[8..]),
        "3782 822463 10005".to_string(),
    ] {
        assert_eq!(
            scan_sensitive(&text, false),
            Some(Sensitive::CardNumber),
            "{text:?}"
        );
    }
    // A 16- or 19-digit card is a card even while a serial is being asked for.
    assert_eq!(scan_sensitive(&c19, true), Some(Sensitive::CardNumber));
    // White space runs are one space, as the text fields store them.
    for sep in ["  ", "\u{3000}\u{3000}", " \u{200B} ", "\t\t"] {
        let text = group4(&c16, sep);
        assert_eq!(
            scan_sensitive(&text, false),
            Some(Sensitive::CardNumber),
            "{text:?}"
        );
    }
    // A serial or merchant number is stored without spaces and dashes: any grouping of
    // a card number is a card there (in other answers, only a card's own grouping is).
    let odd = format!(
        "{} {} {} {}",
        &c19[..5],
        &c19[5..10],
        &c19[10..15],
        &c19[15..]
    );
    assert_eq!(scan_sensitive(&odd, true), Some(Sensitive::CardNumber));
    assert_eq!(scan_sensitive(&odd, false), None);
    let dashed = format!("{}-{}--{}", &c16[..3], &c16[3..9], &c16[9..]);
    assert_eq!(scan_sensitive(&dashed, true), Some(Sensitive::CardNumber));
    // 15-digit cards (Amex) are caught unless 15 digits are allowed.
    assert_eq!(
        scan_sensitive("378282246310005", false),
        Some(Sensitive::CardNumber)
    );
    assert_eq!(scan_sensitive("378282246310005", true), None);
}

#[test]
fn card_look_alikes_are_not_flagged() {
    let c16 = with_luhn_digit("622848001234567");
    let not_luhn = {
        let mut s = c16.clone();
        let last = s.pop().unwrap();
        s.push(if last == '9' {
            '0'
        } else {
            char::from(last as u8 + 1)
        });
        s
    };
    let imei = with_luhn_digit("35693803564380");
    let lakala_mno = with_luhn_digit("82210005011234");
    for text in [
        not_luhn.clone(),
        group4(&not_luhn, " "),
        "1234".to_string(),
        "尾号1234".to_string(),
        "**** **** **** 1234".to_string(),
        "6222 **** **** 1234".to_string(),
        "13812345678".to_string(),
        "+86 138 1234 5678".to_string(),
        "0086 138 1234 5678".to_string(),
        "008613812345678".to_string(),
        "13812345678 1234".to_string(),
        "2026-11-03".to_string(),
        "20261103".to_string(),
        "2026年11月3日".to_string(),
        "SN00001234567890123".to_string(),
        "N86222021234567890128".to_string(),
        format!("SN: {c16}"),
        format!("序列号 {c16}"),
        format!("IMEI {imei}"),
        format!("商户号：{lakala_mno}"),
        format!("订单号 {c16}"),
        format!("押金 299 元，订单 {c16}"),
        lakala_mno.clone(),
        "12345678901234567890123".to_string(),
        // Too short and too long.
        with_luhn_digit("6222021234567"),
        with_luhn_digit("62220212345678901234"),
    ] {
        assert_eq!(scan_sensitive(&text, false), None, "{text:?}");
    }
    // With 15 digits allowed, a bare 15-digit IMEI starting with 3 is not a card either.
    assert_eq!(scan_sensitive(&imei, true), None);
    assert_eq!(scan_sensitive(&imei, false), Some(Sensitive::CardNumber));
}

#[test]
fn finds_id_numbers() {
    let id = with_id_check("44030419900307123");
    let idx = "11010519491231002X";
    for text in [
        id.clone(),
        idx.to_string(),
        idx.to_lowercase(),
        format!("身份证号{id}"),
        format!("身份证：{idx}，姓名张三"),
        format!("{} {} {}", &id[..6], &id[6..14], &id[14..]),
        fullwidth(&id),
        format!("ID{id}"),
    ] {
        assert_eq!(
            scan_sensitive(&text, false),
            Some(Sensitive::IdNumber),
            "{text:?}"
        );
        assert_eq!(
            scan_sensitive(&text, true),
            Some(Sensitive::IdNumber),
            "{text:?}"
        );
    }
    // Wrong check digit, or glued into a longer number: not an ID.
    let mut bad = id.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == '1' { '2' } else { '1' });
    for text in [bad, format!("{id}5"), format!("9{id}")] {
        assert_ne!(
            scan_sensitive(&text, false),
            Some(Sensitive::IdNumber),
            "{text:?}"
        );
    }
}

#[test]
fn finds_passwords() {
    for text in [
        "密码是abc123",
        "密码是 abc123",
        "我的密码是：Abc12345",
        "登录密码：xxxx",
        "登录密码:hello",
        "支付密码 123456",
        "支付密码123456",
        "取款密码是888888",
        "密码就是 qwerty",
        "密码改成了 abc123",
        "my password is hunter22",
        "My password is sunshine",
        "password: letmein",
        "pwd: x9y8z7",
        "PIN 1234",
        "pin码 123456",
        "PIN code: 0000",
        "Password=secret1",
        "密码：ａｂｃ１２３",
    ] {
        assert_eq!(
            scan_sensitive(text, false),
            Some(Sensitive::Password),
            "{text:?}"
        );
    }
}

#[test]
fn password_questions_are_not_flagged() {
    for text in [
        "忘记密码了怎么办",
        "密码错误",
        "密码错了三次被锁了",
        "支付密码忘了",
        "怎么修改登录密码",
        "密码是多少位的",
        "密码6位",
        "密码：******",
        "I forgot my password",
        "my password is wrong",
        "the password is not working",
        "password reset",
        "password since yesterday does not work",
        "how do I change my PIN?",
        "shipping 1234",
        "密码键盘坏了",
        "spinning 12345",
    ] {
        assert_eq!(scan_sensitive(text, false), None, "{text:?}");
    }
}

#[test]
fn finds_sms_codes() {
    for text in [
        "验证码是 123456",
        "验证码是123456",
        "验证码：4821",
        "验证码:4821",
        "短信码 482913",
        "短信验证码 482913",
        "校验码 1234",
        "动态码是 839201",
        "code is 123456",
        "the code: 4821",
        "my code is 123456",
        "Verification code: 735102",
        "OTP 123456",
        "我收到的验证码是 657483，麻烦快点",
        "短信验证码收到了 982341",
        "验证码：６５７４８３",
        "我的code是123456",
    ] {
        assert_eq!(
            scan_sensitive(text, false),
            Some(Sensitive::SmsCode),
            "{text:?}"
        );
    }
}

#[test]
fn code_questions_are_not_flagged() {
    for text in [
        "收不到验证码",
        "验证码一直没来",
        "验证码收不到怎么办",
        "验证码60秒后重发",
        "验证码 120 秒后重发",
        "验证码过期了",
        "验证码发到 13812345678 了吗",
        "验证码是6位数",
        "error code 1234",
        "zip code 100000",
        "QR code 123456",
        "I didn't get the code",
        "the code is wrong",
        "验证码是2026年发的",
    ] {
        assert_eq!(scan_sensitive(text, false), None, "{text:?}");
    }
}

#[test]
fn ordinary_answers_are_never_flagged() {
    for text in [
        "",
        "1234",
        "尾号 1234",
        "13812345678",
        "138 1234 5678",
        "2026-11-03",
        "11月3日",
        "SN: N7NL00123456",
        "00001234567890",
        "822100050112345",
        "张三",
        "张三便利店",
        "中国工商银行",
        "机器开不了机，屏幕不亮",
        "UB-7K3QF9",
        "是的",
        "已经激活了",
        "押金 299 元",
    ] {
        assert_eq!(scan_sensitive(text, false), None, "{text:?}");
        assert_eq!(scan_sensitive(text, true), None, "{text:?}");
    }
}

#[test]
fn message_ids() {
    assert_eq!(Sensitive::CardNumber.message_id(), "privacy-refused-card");
    assert_eq!(Sensitive::IdNumber.message_id(), "privacy-refused-id");
    assert_eq!(Sensitive::Password.message_id(), "privacy-refused-password");
    assert_eq!(Sensitive::SmsCode.message_id(), "privacy-refused-sms-code");
    assert_eq!(
        serde_json::to_string(&Sensitive::SmsCode).unwrap(),
        "\"sms-code\""
    );
}

#[test]
fn completes_to_a_valid_number() {
    let card = luhn_complete("622202123456789").unwrap();
    assert_eq!(card.len(), 16);
    assert!(luhn_valid(&card));
    assert_eq!(luhn_complete("12a"), None);
    assert_eq!(luhn_complete(""), None);
}
