# Knowledge-base answers. The caller appends answer-footer to each one.
# Plain text (no HTML/Markdown), at most about 900 characters each.

answer-unbind-device =
    Unbinding removes the link between the POS terminal and your merchant account, so it is free again; a never-activated terminal is the simple case.

    The usual steps:
    1. Decide the reason (fault, long unused, switching brand, business closed, new personal details); you'll need it.
    2. Log in to the brand's official app or merchant back office and find "device management" or "unbind".
    3. Pick the terminal (by name or serial number) and verify your identity: a call or SMS to the bound phone, sometimes ID card photos or face recognition.
    4. Enter the reason and submit.

    Review takes about 1–3 business days; you hear by SMS, app message or call. Once approved, remaining funds go to your bank account; if rejected, add what is missing and resubmit.

    Usually needed: business licence, the legal representative's ID card, an unbind form; sometimes a terminal photo and transaction screenshots.

answer-unbind-device-lakala =
    A Lakala terminal can be unbound yourself in the official Lakala app or on the merchant website:
    1. Log in and find "POS机绑定解绑" (POS binding/unbinding) or a similar entry.
    2. Choose 解绑 (unbind) or 取消绑定 (cancel binding), pick the model, and fill in your merchant name and contact.
    3. Verify your identity: a call or SMS to the bound phone, ID card photos (front and back), sometimes face recognition.
    4. Enter the reason, choose whether the accounts tied to this terminal should be closed too, and submit.

    Review usually takes 1–3 business days; the result comes by SMS, app message or call. Once approved, remaining funds are settled to your bank account. If rejected, add what is missing and resubmit.

    After a successful unbind with no outstanding debts, you can formally withdraw the terminal at a local counter or authorised agent, with your ID and bank card details.

answer-unbind-device-lishua =
    Before unbinding a Lishua terminal, have its model, the bound bank card and the bound phone number at hand.
    1. Log in to the Lishua merchant platform (website or app; use "forgot password" if needed).
    2. Go to 我的 (Me) → 我的立刷 or 商户中心 (merchant centre) → 设备管理 / 硬件管理 (device management).
    3. Tap 解绑 (unbind) or 删除 (delete) and select the terminal by name, serial number (SN) or IMEI.
    4. Enter the verification code, wait for processing, then check that the device list shows it as unbound.

    A new terminal later may need a new application.

    If self-service does not work, Lishua support can help: have ID proof ready, check the merchant name, terminal type and number and phone number on the application, and wait for the review (notice by SMS or e-mail). The deposit refund and account closure follow after that.

answer-broken-device =
    If the terminal won't power on, shows an error, or doesn't respond when connected to a phone or computer, it is most likely broken. Here is what you can do.

    Unbind it yourself:
    1. Switch the terminal off and have your ID card and bank card ready.
    2. In the app, go to "My account" or "Personal centre" → "Unbind/close" or "Device unbinding".
    3. Pick the terminal, verify with the bound phone number and SMS code, and wait for the review (usually 1–3 business days).

    Or ask support: give your merchant number, proof of ownership (purchase invoice, merchant identity proof) and an unbind request with your merchant details, the terminal's serial number and the reason. Badly damaged terminals can be sent back to the manufacturer for repair or replacement through support.

    Back up any data you need before unbinding.

answer-cancel-pos =
    If you were given or sent a POS terminal you don't want, you can cancel the service and return it:
    1. Contact official support first and say clearly that you want to stop the service.
    2. Then send a written application with the reason, your signature, name and contact details.
    3. Review usually takes 2–5 business days; watch your SMS and e-mail.
    4. If approved, the refund amount and method are agreed, sometimes in a written refund agreement. Refunds go back to the original bank card; check your account afterwards.

    Apply early: the usual advice is within three months of receiving the terminal. Keep every document and chat record as evidence, and keep an eye on your transactions afterwards.

    You never need to send a full card or ID number here; the last 4 digits of a card are enough.

answer-cancel-pos-lakala =
    If you were given or sent a Lakala terminal you don't want, you can cancel the service and return it:
    1. Contact Lakala support first (hotline 95017, or online support) and say clearly that you want to stop the service.
    2. Then send a written application with the reason, your signature, name and contact details.
    3. Review usually takes 2–5 business days; watch your SMS and e-mail.
    4. If approved, the refund amount and method are agreed, sometimes in a written refund agreement. Refunds go back to the original bank card; check your account afterwards.

    Apply early: the usual advice is within three months of receiving the terminal. Keep every document and chat record as evidence, and keep an eye on your transactions afterwards.

    You never need to send a full card or ID number here; the last 4 digits of a card are enough.

answer-deposit =
    Simply no longer using the terminal does not get the deposit back. A refund, if there is one, comes only through cancelling the service (returning the terminal) and its review:
    1. Contact official support, say you want to cancel the service and ask for the deposit back.
    2. Send a written application: reason, signature, name and contact details.
    3. Review usually takes 2–5 business days. If approved, the amount and method are agreed and the money goes back to the original bank card.

    The earlier you apply, the better. Keep your application and chat records, and check your account when the refund arrives.

answer-close-account =
    To close your merchant account, go in this order:
    1. Move the remaining balance out to your own account.
    2. Unbind your phone number and bank card.
    3. Cancel any unfinished transactions.

    You will need: the legal representative's ID card (front and back), the registrant's own real-name bank account, the registered user name, and a hand-signed authorisation letter asking support to close the account.

    Closure usually takes effect within about 15 business days.

    If you simply don't want the terminal any more: don't throw it away or lend it out. Keep it, or cancel it with the institution that issued it.

answer-close-account-lakala =
    To close a Lakala merchant account, first get these done, in order:
    1. Move the remaining balance out to your own account.
    2. Unbind your phone number and bank card.
    3. Cancel any unfinished transactions.

    Where to apply:
    · The 汇拓客 (Huituoke) app or mini-program: the easiest self-service route.
    · Support: the hotline no longer closes accounts itself; support sends you an SMS asking you to e-mail the materials to the support mailbox.

    You will need: the legal representative's ID card (front and back), the registrant's own real-name bank account, the registered user name, and a hand-signed authorisation letter asking support to close the account.

    Closure usually takes effect within about 15 business days.

answer-change-card =
    To change your settlement bank card, you usually unbind the old card first and then add the new one:
    1. Terminals issued by a bank: fill in a change form at a branch of that bank.
    2. Third-party terminals (most of the market): your sales agent can help, or change it yourself in the merchant back office. Larger terminals may ask for your ID card or a form.

    The new card must be in the merchant's own name (or the company's account).

    If you want our help, we only need the new card's bank and its last 4 digits. Please never send the full card number, a password or an SMS code.

answer-change-card-lakala =
    To unbind a bank card in the Lakala app:
    1. Home → 我的钱包 (My wallet) → 我的银行卡 (My bank cards) → choose the card → 删除 (Delete) at the top right.
    2. Enter your payment password and the SMS code, then tap 下一步 (Next).

    To switch to a new card: after unbinding the old one, go to 个人账户 (Personal account) → 银行卡管理 (Bank card management) → add the new card → 确定 (Confirm).

    For 收款宝 (Lakala's phone card reader): app → 个人账户 → 银行卡管理 → 设置管理 → 手机银行 → 解除绑定 (unbind).

    The new card must be in the merchant's own name (or the company's account). Enter passwords and SMS codes only in the app; never send them to anyone, including us.

answer-review-time =
    Typical review times:
    · Unbinding, broken terminals: about 1–3 business days
    · Cancelling / returning a terminal (including the deposit): about 2–5 business days
    · Closing the merchant account: about 15 business days

    You will hear by SMS, app message, phone call or e-mail. If an application is rejected, add what is missing and submit it again.

answer-materials =
    What you usually need (it varies by brand and reason):
    · Unbinding: business licence (companies also tax registration and organisation code), the legal representative's ID card, an unbind application form; sometimes a photo of the terminal and transaction screenshots.
    · Broken terminal: merchant number, proof of ownership (e.g. purchase invoice), the serial number.
    · Return or deposit: a written application (reason, signature, contact details), plus identity proof and transaction vouchers for account problems, or repair proof for a fault.
    · Closing the account: legal representative's ID card (both sides), the registrant's real-name bank account, user name, a hand-signed authorisation letter.
    · New card: its bank and last 4 digits, ID card (front).

    Document photos go to human review only. Never send full card numbers, passwords or SMS codes.

answer-sms-code =
    If the verification code doesn't arrive:
    1. Check that you entered the phone number bound to the account.
    2. Check that this number can receive text messages.
    3. If the bound number is no longer in use, or the code still doesn't come, contact official support.

    A reminder: enter codes only in the official app and never tell them to anyone, including us.

answer-unbind-trouble =
    If unbinding isn't working, try these:
    1. Can't find "device management": make sure you are on the official website or app, clear the browser cache and log in again.
    2. Unbinding failed: check your account, password and device details, log in again and retry.
    3. Device information doesn't match: compare it with what the system shows and enter it again.
    4. Can't add a new device after unbinding: there may be a limit on devices per account; ask support.

answer-after-unbind =
    After unbinding:
    1. The old terminal generally cannot be restored to you.
    2. A new terminal is bound after the review, following the provider's rules.
    3. You don't need to register a new account: unbinding by itself doesn't change your merchant account.

    Back up any transaction records you need before you unbind.

answer-records =
    After unbinding, your transaction records normally stay available on the merchant service platform.

    To be safe, export or screenshot the records you need before you unbind or close the account.

answer-lend-device =
    Please don't lend, give away or sell your POS terminal. It is bound to your real identity, and you answer for every transaction anyone else makes with it.

    If you no longer need it, you can apply to unbind it, or cancel it with the institution that issued it.

answer-privacy =
    Good question. This is how we handle your information:
    1. Our staff never need your passwords, payment PIN or SMS codes, so please don't send them. If one is sent by mistake, the bot deletes the message where it can and never stores it.
    2. For a bank card we only take the last 4 digits, and we never need your full ID number.
    3. Photos of documents go to human review only.

    Keep copies of everything you submit, and watch your accounts for anything unusual.

answer-case-status =
    We will tell you as soon as there is a decision on an application you made here, and you can check its progress at any time with /status.

    Typical times: unbinding and broken terminals about 1–3 business days, returns about 2–5, account closure about 15. If it has taken longer than that, tell me and I will ask a colleague to follow up.

answer-human =
    Sure, I will get a member of staff for you.
    To speed things up, please describe your problem briefly, with the terminal's brand and serial number if you have them.
    Please don't send passwords, SMS codes, or full card or ID numbers.

answer-none =
    Sorry, I can't help with that one. I can help with unbinding a POS terminal, broken terminals, returns and deposits, closing a merchant account and changing the settlement card. Please choose from the menu below, or ask me in other words.

answer-footer =
    Procedures differ between brands and agents, so { $hotline ->
        [none] the brand's official support line or our human review has the final word.
       *[other] the official support line ({ $hotline }) or our human review has the final word.
    }
    Shall I open a case for you?
