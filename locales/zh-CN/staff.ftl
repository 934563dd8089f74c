# 审核群（工作人员）文案

staff-card-head = 📋 <b>{ $ref }</b> · { $kind } · { $brand }
staff-card-status = 状态：{ $status ->
        [queued] 待认领
        [in_review] 审核中（{ $who }）
        [waiting_merchant] 等商户补充（{ $who }）
        [approved] 已通过
        [rejected] 已驳回
        [withdrawn] 商户已撤回
       *[other] { $status }
    } · 截止 { $due }{ $overdue ->
        [yes] ⚠️ 已超时
       *[no] {""}
    }
staff-card-files = 附件：{ $count } 个
staff-card-answer = 商户补充：{ $text }
staff-files-caption = { $ref } 的附件

staff-btn-claim = 🙋 认领
staff-btn-approve = ✅ 通过
staff-btn-reject = ❌ 驳回
staff-btn-ask = ❓ 要求补充
staff-btn-note = 📝 备注
staff-btn-release = ↩️ 释放
staff-btn-back = ↩️ 返回

staff-reason-missing-materials = 材料不全
staff-reason-details-mismatch = 信息不符
staff-reason-unsettled = 有未结清交易
staff-reason-too-late = 超过时限
staff-reason-other = 其他（填写说明）

staff-ev-claimed = { $who } 认领了 { $ref }
staff-ev-approved = ✅ { $who } 通过了 { $ref }
staff-ev-rejected = ❌ { $who } 驳回了 { $ref }：{ $reason }
staff-ev-asked = ❓ { $who } 请商户补充 { $ref }：{ $question }
staff-ev-released = { $who } 释放了 { $ref }，已回到队列
staff-ev-lease-expired = ⏰ { $ref } 认领已超时，已回到队列
staff-ev-withdrawn = 商户撤回了 { $ref }
staff-ev-noted = 📝 { $who } 备注 { $ref }：{ $text }
staff-ev-answered = 📨 商户回复了 { $ref }（{ $who } 请注意），已回到队列：{ $text }
staff-ev-serial-note = ⚠️ 另一位商户说 { $serial } 这台机器在他手上（留言编号 { $note }），这台机器已有申请 { $ref }：{ $text }

staff-type-question = { $who }，请直接发送要商户补充的内容（{ $ref }），30 分钟内有效。
staff-type-reason = { $who }，请直接发送驳回说明（{ $ref }），商户会看到这段文字。
staff-type-note = { $who }，请直接发送内部备注（{ $ref }），商户看不到。

staff-claimed = 已认领
staff-already-yours = 你已经认领了这个案件
staff-done = 已处理
staff-choose = 请选择
staff-changed-meanwhile = 案件刚被其他人改动，请刷新后再试
staff-bad-button = 按钮无效
staff-refused-not-reviewer = 只有审核人员可以操作
staff-refused-held = 已被 #{ $holder } 认领
staff-refused-not-claimed = 请先认领这个案件
staff-refused-decided = 案件已处理完（{ $status }）
staff-refused-status = 当前状态（{ $status }）不能这样操作
staff-refused-no-case = 找不到这个案件

staff-queue-header = <b>待处理案件（{ $count }）</b>，最早的在前：
staff-queue-empty = 队列是空的 🎉
staff-mine-header = <b>我认领的案件（{ $count }）：</b>
staff-mine-empty = 你手上没有案件。
staff-queue-line = <code>{ $ref }</code> · { $kind } · { $status ->
        [queued] 待认领
        [in_review] 审核中 { $who }
        [waiting_merchant] 等商户补充 { $who }
       *[other] { $status }
    } · 截止 { $due }{ $overdue ->
        [yes] ⚠️
       *[no] {""}
    }
staff-stats =
    <b>队列统计</b>
    待认领：{ $queued }
    审核中：{ $in_review }
    等商户补充：{ $waiting }
    今日已处理：{ $decided }
    从提交到处理的中位时长：{ $median } 小时
staff-digest-header = ⚠️ <b>今日超时案件（{ $count }）</b>：
staff-help =
    审核命令：
    /queue 待处理案件（最早的在前，超时标 ⚠️）
    /case 编号 查看一个案件
    /mine 我认领的案件
    /stats 队列统计
    在案件卡片上点按钮：认领、通过、驳回、要求补充、备注、释放。
