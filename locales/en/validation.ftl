# Replies to values that failed validation, and the privacy guard's notices.
# Each invalid-* message says what is wrong and shows a good example; privacy-refused-* is sent
# after a message with sensitive data was deleted. The ids match Invalid::message_id() and
# Sensitive::message_id() in src/domain/ (a test checks both locales).

## Phone

invalid-phone-invalid-chars = A phone number can only contain digits. Please send your 11-digit mobile number, e.g. 13812345678.
invalid-phone-length = The phone number needs to be an 11-digit mainland China mobile number, e.g. 13812345678.
invalid-phone-not-mobile = That isn't a mainland China mobile number. Please give a mobile that can take calls and texts (it starts with 1), e.g. 13812345678.

## Device serial number (SN / IMEI)

invalid-serial-invalid-chars = The serial number (SN) has only letters and digits. You'll find it on the label on the back of the terminal or in the battery compartment, e.g. N7NL00123456.
invalid-serial-too-short = That serial number is too short. Please copy the whole SN from the terminal's label, e.g. N7NL00123456.
invalid-serial-too-long = That serial number is too long. Please send only the characters after "SN" on the label, e.g. N7NL00123456.
invalid-serial-no-digit = A serial number normally contains digits. Please check the SN on the terminal's label again, e.g. N7NL00123456.

## Merchant number

invalid-merchant-no-invalid-chars = The merchant number has only letters and digits. You can find it in the app's merchant details or in your sign-up text message, e.g. 822100050112345.
invalid-merchant-no-too-short = That merchant number is too short. Please send all of it, e.g. 822100050112345 (Lakala merchant numbers have 15 digits).
invalid-merchant-no-too-long = That merchant number is too long. Please send just the number itself, e.g. 822100050112345.
invalid-merchant-no-too-few-digits = That doesn't look like a merchant number; they are mostly digits, e.g. 822100050112345.

## Merchant name

invalid-merchant-name-too-short = Please enter the full merchant name, as on your business licence or in the app, e.g. Zhang San Convenience Store.
invalid-merchant-name-too-long = The merchant name can be at most 60 characters. Please enter just the registered name, e.g. Zhang San Convenience Store.
invalid-merchant-name-no-letters = The merchant name can't be only digits or symbols. Please enter the registered shop or company name, e.g. Zhang San Convenience Store.

## Person's name

invalid-person-name-too-short = Please enter the full name, e.g. Zhang San.
invalid-person-name-too-long = A name can be at most 30 characters. Please enter just the name, e.g. Zhang San.
invalid-person-name-has-digits = A name can't contain digits. Please enter just the name, e.g. Zhang San.
invalid-person-name-invalid-chars = A name can only contain Chinese characters or Latin letters, with · between parts if needed, e.g. Zhang San or 买买提·艾力.

## Last four digits of a bank card

invalid-card-last4-no-digits = Please send the last 4 digits of the bank card number, e.g. 1234.
invalid-card-last4-too-few-digits = That's fewer than 4 digits. Please send the last 4 digits of the card number, e.g. 1234.
invalid-card-last4-too-many-digits = To keep your money safe, please send only the last 4 digits of the card, e.g. 1234 — never the full card number.

## Bank

invalid-bank-name-digits-only = Please enter the name of the bank here, not a card number, e.g. Industrial and Commercial Bank of China or ICBC.
invalid-bank-name-not-bank = We didn't recognise that bank. Please send the name of the bank that issued the card, e.g. China Construction Bank, China Merchants Bank or your local rural commercial bank.
invalid-bank-name-too-long = That bank name is too long. The bank's name is enough, no branch needed, e.g. Agricultural Bank of China.

## Free text

invalid-text-too-short = Please write a few words about what happened, e.g. The terminal won't turn on and the screen stays dark.
invalid-text-too-long = That's a bit long (300 characters at most). Please keep it short, e.g. I closed the shop and the terminal hasn't been used since.

## Date

invalid-date-in-future = That date hasn't come yet. Please send a date in the past, e.g. Mar 15 or yesterday.
invalid-date-too-old = That date is more than 5 years ago; please check the year. Without a year we take the most recent one, e.g. Mar 15.
invalid-date-impossible = That day doesn't exist in the calendar. Please check it again, e.g. Feb 28 or Mar 15.
invalid-date-unreadable = Sorry, we couldn't read that date. You can write it like this, e.g. Mar 15, 2025-03-15 or yesterday.

## Case reference

invalid-case-ref-malformed = That reference doesn't look right. A case reference is two letters, a dash and 6 letters or digits, e.g. UB-7K3QF9.

## Privacy: message deleted

privacy-refused-card = For your safety, we deleted that message. We never need your full bank card number — the last 4 digits are enough, e.g. 1234.
privacy-refused-id = For your safety, we deleted that message. We never need your full ID card number. When we need to check your identity, please upload photos of your ID card when asked; only our human reviewers see them.
privacy-refused-password = For your safety, we deleted that message. We will never need your login password, payment password or PIN, and please don't share them with anyone. If you forgot a password, reset it with "Forgot password" in the official app.
privacy-refused-sms-code = For your safety, we deleted that message. We never need your SMS verification codes — please don't send them to anyone, including people who say they are support staff. Enter codes only in the official app yourself.
