# Staff group texts

staff-card-head = 📋 <b>{ $ref }</b> · { $kind } · { $brand }
staff-card-status = Status: { $status ->
        [queued] waiting to be claimed
        [in_review] in review ({ $who })
        [waiting_merchant] waiting for the merchant ({ $who })
        [approved] approved
        [rejected] rejected
        [withdrawn] withdrawn by the merchant
       *[other] { $status }
    } · due { $due }{ $overdue ->
        [yes] ⚠️ overdue
       *[no] {""}
    }
staff-card-files = Files: { $count }
staff-card-answer = Merchant's answer: { $text }
staff-files-caption = Files of { $ref }

staff-btn-claim = 🙋 Claim
staff-btn-approve = ✅ Approve
staff-btn-reject = ❌ Reject
staff-btn-ask = ❓ Ask for more
staff-btn-note = 📝 Note
staff-btn-release = ↩️ Release
staff-btn-back = ↩️ Back

staff-reason-missing-materials = Missing materials
staff-reason-details-mismatch = Details don't match
staff-reason-unsettled = Unsettled transactions
staff-reason-too-late = Past the time limit
staff-reason-other = Other (type a reason)

staff-ev-claimed = { $who } claimed { $ref }
staff-ev-approved = ✅ { $who } approved { $ref }
staff-ev-rejected = ❌ { $who } rejected { $ref }: { $reason }
staff-ev-asked = ❓ { $who } asked the merchant about { $ref }: { $question }
staff-ev-released = { $who } released { $ref }; it is back in the queue
staff-ev-lease-expired = ⏰ The claim on { $ref } expired; it is back in the queue
staff-ev-withdrawn = The merchant withdrew { $ref }
staff-ev-noted = 📝 { $who } noted on { $ref }: { $text }
staff-ev-answered = 📨 The merchant answered about { $ref } ({ $who }, for you); back in the queue: { $text }
staff-ev-serial-note = ⚠️ Another merchant says terminal { $serial } is theirs (note { $note }); it already has case { $ref }: { $text }

staff-type-question = { $who }, send the question for the merchant ({ $ref }) as your next message, within 30 minutes.
staff-type-reason = { $who }, send the reason for rejecting { $ref }; the merchant will read it.
staff-type-note = { $who }, send the internal note for { $ref }; the merchant never sees it.

staff-claimed = Claimed
staff-already-yours = You already hold this case
staff-done = Done
staff-choose = Choose
staff-changed-meanwhile = Someone changed this case just now; refresh and try again
staff-bad-button = Invalid button
staff-refused-not-reviewer = Only reviewers can do this
staff-refused-held = Held by #{ $holder }
staff-refused-not-claimed = Claim the case first
staff-refused-decided = This case is already decided ({ $status })
staff-refused-status = Not possible in its current status ({ $status })
staff-refused-no-case = No such case

staff-queue-header = <b>Open cases ({ $count })</b>, oldest first:
staff-queue-empty = The queue is empty 🎉
staff-mine-header = <b>Cases you hold ({ $count }):</b>
staff-mine-empty = You hold no cases.
staff-queue-line = <code>{ $ref }</code> · { $kind } · { $status ->
        [queued] waiting
        [in_review] in review { $who }
        [waiting_merchant] waiting for merchant { $who }
       *[other] { $status }
    } · due { $due }{ $overdue ->
        [yes] ⚠️
       *[no] {""}
    }
staff-stats =
    <b>Queue</b>
    Waiting to be claimed: { $queued }
    In review: { $in_review }
    Waiting for merchants: { $waiting }
    Decided today: { $decided }
    Median time to decision: { $median } h
staff-digest-header = ⚠️ <b>Overdue cases today ({ $count })</b>:
staff-help =
    Staff commands:
    /queue open cases (oldest first, overdue marked ⚠️)
    /case REF one case
    /mine cases you hold
    /stats queue statistics
    Buttons on a case card: claim, approve, reject, ask for more, note, release.
