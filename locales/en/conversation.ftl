# posdesk — conversation texts (English)

welcome =
    Hello! I'm the POS merchant service assistant 🤝
    I can help you unbind a terminal, deal with a broken one, return a terminal and get the deposit back, close your merchant account, or change your settlement card.
    Just type your question (for example "Will I get my deposit back?") or tap a button below.
menu-prompt = What can I help you with? Type a question or tap a button.
help =
    How this works:
    • Tap a topic and I'll show you the self-service steps first; if you can't do it yourself, I'll collect what the review team needs and submit it for you.
    • You can type a question at any time.
    • /status shows your applications
    • /cancel cancels the application you're filling in
    • /lang switches language (中文 / English)
    • /forget deletes what we've stored about you
    For your safety: we will never ask for your full card number, full ID number, passwords or SMS codes.

topic-unbind = 🔓 Unbind terminal
topic-broken = 🛠 Broken terminal
topic-cancel = ↩️ Return / deposit
topic-close = 🗂 Close account
topic-card = 💳 Change settlement card
topic-my-cases = 📋 My applications
topic-human = 🙋 Talk to a person

kind-unbind = terminal unbinding
kind-broken = broken terminal
kind-cancel = return / deposit refund
kind-close = account closure
kind-card = settlement card change

brand-prompt = Which brand is your terminal? Each brand has its own steps.
brand-unknown = I didn't recognise that brand. Please pick one below; if yours isn't listed, choose "Other brand".
btn-guide-done = ✅ Done, it worked
btn-open-case = 📝 Apply for me
btn-menu = ↩️ Back to menu
guide-done = Great! Come back any time you need something else.

form-start = OK, let's prepare your { $kind } application: { $count } required items, one at a time. Send /cancel at any point to stop.
form-progress = Item { $n } of { $total }
btn-yes = Yes
btn-no = No
btn-skip = Skip
btn-cancel-draft = ✖️ Cancel application
btn-share-contact = 📱 Send my phone number
yes-no-unclear = Sorry, I didn't get that. Please answer "yes" or "no", or tap a button below.

value-yes = Yes
value-no = No
value-skipped = (not provided)
value-file = uploaded ✓
value-text = { $text }

review-header = <b>Please check your { $kind } application:</b>
review-line = { $label }: { $value }
review-footer = If everything is right, tap "Submit"; to change something, tap "Edit".
btn-submit = ✅ Submit
btn-edit = ✏️ Edit
edit-choose = Which item do you want to change?
btn-back-to-review = ↩️ Back to summary

submitted =
    <b>Submitted ✅</b> Your reference: <code>{ $ref }</code>
    A { $kind } review usually takes { $days } business days; expect an answer by { $due }. I'll message you as soon as there's news.
    To check progress, send /status or tap "My applications".
draft-cancelled = Cancelled. What you had filled in has been deleted.
nothing-to-cancel = You have no application in progress.
resume-offer = You have an unfinished { $kind } application ({ $done } of { $total } items filled in). Continue it, or discard it and start over?
btn-resume = ▶️ Continue
btn-discard = 🗑 Discard

stale-button = That button has expired; please use the buttons on the latest message.
bad-button = That button can't be used right now; please use the latest options below.
buttons-expected = Please tap one of the buttons below to continue.
use-buttons = Please choose with the buttons below, or type a question.
photo-expected = This item needs a photo (take one or pick one from your gallery); a PDF scan works too.
text-expected = This item needs a typed answer; I'll ask for photos later.
file-not-now = Got your file, but I can't use it yet. I'll tell you when to upload documents; first tell me what you need.
file-type-refused = I can't open that kind of file. Please send a photo, or a JPG, PNG or PDF file.
file-too-large = That file is too large (over { $max_mb } MB). Please compress it or just send a photo.
file-received = Received: { $label } ✓
album-extra = { $count } extra photo(s) weren't needed; send them later if I ask.
phone-received = Phone number { $phone } saved ✓
contact-not-needed = Thanks for the contact, but I don't need a phone number at this step.
unsupported = I can't understand voice messages, stickers or locations yet. Please type or tap a button 🙏
edited-ignored = I don't re-read edited messages. To correct something, please send it again as a new message.
digression-continue = Let's continue with your application:
serial-has-open-case = This terminal already has an application in progress (reference { $ref }), so there's no need to submit again; send /status to check it. If you mistyped the serial number, please enter it again.

status-none = You haven't submitted any applications yet.
status-header = <b>Your applications ({ $count }):</b>
status-line =
    <code>{ $ref }</code> · { $kind }
    Status: { $status ->
        [queued] waiting for review · expected by { $due }
        [in_review] under review · expected by { $due }
        [waiting_merchant] we need more information from you
        [approved] approved ✅
        [rejected] not approved
        [withdrawn] withdrawn
       *[other] { $status }
    }
lang-prompt = 请选择语言 / Choose your language:
lang-set = OK, I'll talk to you in English from now on.
lang-name-zh = 中文
lang-name-en = English

forget-confirm = Delete everything we've stored about you here? That includes unfinished applications and the personal details in finished ones. This can't be undone.
forget-done = Done: what we stored about you here has been deleted.
forget-blocked = You have { $count } application(s) still being processed, and we need to keep the details until they're finished. Send /forget again once they are.
forget-kept = OK, nothing was deleted.
btn-forget-yes = Yes, delete
btn-forget-no = Keep it

unknown-command = I don't know that command. Send /help to see what I can do.
reset-apology = Sorry, after a system upgrade I couldn't restore where we were, so we need to start again.
service-busy = The system is busy right now. Your message wasn't lost; please try again in a moment.
keyboard-closed = OK.

console-hello = posdesk terminal chat. Type a message and press Enter; type a button's number to press it; /photo NAME stands in for a photo; /staff plays the review team (send /staff for how); /quit exits.
console-deleted = 🗑 This message was deleted for your safety
console-contact-hint = (type /contact PHONE in place of the "send my phone number" button, or just type the number)
console-staff-help = Playing the review team: /staff claim|approve|release [REF], /staff reject CODE [TEXT] [REF] (missing-materials, details-mismatch, unsettled, too-late, other with a text), /staff ask QUESTION [REF]; without REF, the newest application. /later HOURS: let time pass and run the reminder job.
console-later = { $hours } hours later (the reminder job ran)
console-no-case = This chat has not submitted an application yet.

group-private-only = To protect your personal details, please talk to me in a private chat: tap my name, then "Send message".
error-sorry = Sorry, something went wrong with that message. Please send it again, or send /start; everything you already filled in is still there.
error-busy = Our system is briefly busy. Your message has been received and will be handled automatically as soon as it recovers; no need to send it again. If you hear nothing in a few minutes, please try again shortly.

cmd-start = Start / main menu
cmd-status = Check my applications
cmd-cancel = Cancel the application in progress
cmd-lang = Language / 切换语言
cmd-help = How this works
cmd-forget = Delete my stored details

# Review progress (to merchants)
case-in-review = A reviewer has started on your application <code>{ $ref }</code>; watch for messages.
case-approved = ✅ Your application <code>{ $ref }</code> has been approved.
case-rejected = Sorry, your application <code>{ $ref }</code> was not approved. Reason: { $reason }
reject-note = The reviewer adds: { $text }
case-question =
    About your application <code>{ $ref }</code>, the reviewer asks:
    { $question }
answer-received = I have passed your { $count } { $count ->
        [one] message
       *[other] messages
    } to the reviewer; application <code>{ $ref }</code> is back in the review queue.
answer-later = OK, no answer for now. When you want to reply, send /status and tap "Reply to reviewer".
answer-prompt = Please send what you want to add to application <code>{ $ref }</code>.
reminder = Your { $kind } application isn't finished yet ({ $done } of { $total } items). Continue?
withdraw-confirm = Withdraw application <code>{ $ref }</code>? You would need to apply again.
withdrawn = Application <code>{ $ref }</code> has been withdrawn.
cannot-withdraw = Application { $ref } has already been decided and can't be withdrawn.
btn-withdraw = Withdraw { $ref }
btn-withdraw-yes = Yes, withdraw
btn-withdraw-no = Keep it
btn-answer = Reply to reviewer ({ $ref })

reject-missing-materials = Some materials are missing; please complete them and apply again.
reject-details-mismatch = The details don't match our records; please check them and apply again.
reject-unsettled = There are unsettled transactions or balances on the account; please settle them first.
reject-too-late = The time limit for this request has passed.
reject-other = Another reason (see the note below).

# Greetings, "where was I", questions not taken as answers
hello-again = Hello! Let's carry on:
resume-here = Hello! Your { $kind } application is still here, { $done } of { $total } items filled in. Let's carry on:
not-taken-as-answer = That reads like a question, so I haven't saved it as "{ $label }".

# Discarding an application: asked first, undoable after
discard-confirm = Discard this { $kind } application? The { $count } answers you gave will be deleted with it.
btn-discard-yes = 🗑 Yes, discard it
btn-discard-no = ↩️ Keep filling it in
draft-discarded =
    The application has been discarded.
    If that was a slip, tap "Restore application" or send "undo" within 24 hours to get all { $count } answers back.
btn-undo = ↩️ Restore application
undo-offer = You discarded a { $kind } application a moment ago ({ $count } answers). Restore it?
draft-restored = Your application is back. Let's carry on:
nothing-to-undo = There is no application to restore.

# The serial has another merchant's open case: nothing of it is shown; a note to staff
serial-taken =
    This terminal already has an application in progress that was not sent from this chat. To protect privacy I can't tell you anything about it.
    If the terminal really is with you (for example, someone passed it on to you), you can leave a note for our staff and they will look into it.
    If you mistyped the serial number, please enter it again.
btn-note-to-staff = ✍️ Leave a note for staff
note-prompt =
    Please write what our staff should know, for example how the terminal came to you.
    Don't send passwords, verification codes or full card numbers.
btn-no-note = ↩️ No note
note-sent =
    Your note has gone to our staff. Note reference: <code>{ $ref }</code>
    They will look into this terminal. Please quote this reference when you contact them.

# After the decision: what happens next, resubmitting after a rejection
case-approved-next = { $next ->
        [unbind]
            What happens next:
            · With the terminal unbound, any remaining funds are settled to your bank account.
            · If nothing is owed, you can have the terminal formally withdrawn at a local counter or an authorised agent; bring your ID card and bank card details.
        [repair] What happens next: a badly damaged terminal can be sent back to the manufacturer for repair or replacement through the brand's official support; please contact them to arrange it.
        [refund]
            What happens next:
            · The refund amount and method are agreed with you, sometimes in a written refund agreement.
            · The money goes back to the card you originally paid with. The guides don't say how long it takes; please check the amount when it arrives.
            · Keep all documents and chat records as evidence.
        [cancel] What happens next: keep all documents and chat records as evidence, and keep an eye on your account's transactions.
        [close] What happens next: the account stops within about 15 business days of the application.
       *[card] What happens next: the guides don't say from which day the new card is used for settlement; go by the settlement card your app shows, and ask the brand's official support if in doubt.
    }
resubmit-offer = You can fix what the reason says and apply again. Tap "Apply again" and I'll fill in what you gave this time, so you only change what needs changing.
btn-resubmit-now = 🔁 Apply again
btn-resubmit = 🔁 Apply again ({ $ref })
resubmit-draft-open = You have an unfinished application. Please submit or discard it first, then apply again for the rejected one.
resubmit-prefilled = I've filled in what you gave for application <code>{ $ref }</code>. Please change what the reason asks for, then submit.
status-question = The reviewer asks: { $question }
status-reason = Why it was not approved: { $reason }

# Answering a reviewer: several messages, then the button
answer-how = Just send text or photos, in as many messages as you like. When you're done, tap "Done, send to the reviewer".
answer-collected = Got it ({ $count } so far). Send more if you like; when you're done, tap "Done, send to the reviewer".
answer-empty = I haven't received anything for the reviewer yet. Send text or photos first, then tap "Done, send to the reviewer".
answer-sent-after-wait = The { $count } { $count ->
        [one] message
       *[other] messages
    } you sent earlier went to the reviewer; application <code>{ $ref }</code> is back in the review queue. To add more, send /status and tap "Reply to reviewer".
btn-answer-done = ✅ Done, send to the reviewer
btn-answer-later = Reply later

# Advice after answers that mean the application will most likely not pass (it does not block)
advice-balance-not-moved = Note: the first step of closing is moving the remaining balance out to your own account. If you haven't yet, do that first; otherwise the application will most likely not pass.
advice-not-unbound = Note: the phone number and the bank card have to be unbound from the account before closing. Best unbind them first, then submit.
advice-holder-not-merchant = Note: the new settlement card must be an account in the merchant's own name (or the company's); a family member's card doesn't count. Best use a card in your own name; if you really need this one, you can still submit and the reviewer will decide.
advice-received-long-ago = Note: the guides advise applying within three months of receiving the terminal, and it has been longer than that. Best submit soon; the reviewer will look at your situation.
