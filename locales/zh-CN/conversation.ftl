# posdesk — 对话文案（简体中文）
# 面向商户：口语、简洁、称“您”。按钮文字尽量短，手机上一行放得下。

welcome =
    您好！我是 POS 商户服务助手 🤝
    可以帮您办理：机器解绑、坏机处理、退机和退押金、商户注销、更换结算卡。
    有问题直接打字问我就行，比如“押金能退吗”；也可以点下面的按钮。
menu-prompt = 请问需要办理什么？直接打字提问，或点下面的按钮。
help =
    使用说明：
    • 点菜单里的业务按钮，我会先告诉您自助办理的步骤；自己办不了的，我帮您整理材料提交人工审核。
    • 随时可以直接打字提问。
    • /status 查看我的申请进度
    • /cancel 取消正在填写的申请
    • /lang 切换语言（中文 / English）
    • /forget 删除我在这里保存的资料
    为了您的安全：我们绝不会向您索要完整银行卡号、完整身份证号、密码或短信验证码。

topic-unbind = 🔓 机器解绑
topic-broken = 🛠 机器坏了
topic-cancel = ↩️ 退机 / 退押金
topic-close = 🗂 注销商户
topic-card = 💳 更换结算卡
topic-my-cases = 📋 我的申请
topic-human = 🙋 转人工

kind-unbind = 机器解绑
kind-broken = 坏机处理
kind-cancel = 退机 / 退押金
kind-close = 商户注销
kind-card = 更换结算卡

brand-prompt = 您的机器是哪个品牌的？不同品牌的办理入口不一样。
brand-unknown = 没认出这个品牌。请点下面的按钮选一个；列表里没有的话，选“其他品牌”就行。
btn-guide-done = ✅ 按步骤办好了
btn-open-case = 📝 帮我提交申请
btn-menu = ↩️ 返回菜单
guide-done = 太好了！还有别的需要，随时找我。

form-start = 好的，我来帮您准备【{ $kind }】申请，一共 { $count } 项必填内容，一项一项来。中途想退出，发 /cancel 就行。
form-progress = 第 { $n }/{ $total } 项
btn-yes = 是
btn-no = 否
btn-skip = 跳过
btn-cancel-draft = ✖️ 取消申请
btn-share-contact = 📱 发送我的手机号
yes-no-unclear = 没看懂，请回答“是”或“否”，也可以直接点下面的按钮。

value-yes = 是
value-no = 否
value-skipped = （未提供）
value-file = 已上传 ✓
value-text = { $text }

review-header = <b>请核对您的【{ $kind }】申请：</b>
review-line = { $label }：{ $value }
review-footer = 信息无误就点“提交”；需要修改请点“修改”。
btn-submit = ✅ 提交
btn-edit = ✏️ 修改
edit-choose = 要修改哪一项？
btn-back-to-review = ↩️ 返回核对页

submitted =
    <b>已提交 ✅</b> 您的申请编号：<code>{ $ref }</code>
    【{ $kind }】一般 { $days } 个工作日内审核完，预计 { $due } 前给您结果，有进展我会第一时间通知您。
    想查进度，发 /status 或点“我的申请”。
draft-cancelled = 已取消，刚才填写的内容已删除。
nothing-to-cancel = 当前没有正在填写的申请。
resume-offer = 您有一份没填完的【{ $kind }】申请（已填 { $done }/{ $total } 项）。要接着填，还是作废重来？
btn-resume = ▶️ 接着填
btn-discard = 🗑 作废

stale-button = 这个按钮已经失效了，请用最新消息里的按钮。
bad-button = 这个按钮现在用不了，请看下面最新的选项。
buttons-expected = 现在请点下面的按钮继续。
use-buttons = 请点下面的按钮选择；有问题也可以直接打字问我。
photo-expected = 这一项需要发照片（拍照或从相册选），也可以发 PDF 扫描件。
text-expected = 这一项需要打字回答，照片稍后会让您发。
file-not-now = 收到文件了，不过现在还用不上。需要上传证件照时我会提示您；先告诉我您要办什么吧。
file-type-refused = 这种文件打不开。请直接发照片，或者发 JPG、PNG、PDF 格式的文件。
file-too-large = 文件太大了（超过 { $max_mb } MB）。请压缩一下，或者直接拍照发过来。
file-received = 已收到：{ $label } ✓
album-extra = 多出来的 { $count } 张照片没有用上，后面需要时再发即可。
phone-received = 已记录手机号 { $phone } ✓
contact-not-needed = 收到名片了，不过这一步还不需要手机号。
unsupported = 我暂时看不懂语音、表情和位置，麻烦打字或点按钮 🙏
edited-ignored = 修改过的消息我这边不会重新读取。如果要更正，请直接重新发一条。
digression-continue = 我们接着填申请：
serial-has-open-case = 这台机器已经有一笔正在处理的申请（编号 { $ref }），不用重复提交，发 /status 可以查进度。如果序列号填错了，请重新输入。

status-none = 您还没有提交过申请。
status-header = <b>您的申请（共 { $count } 笔）：</b>
status-line =
    <code>{ $ref }</code> · { $kind }
    状态：{ $status ->
        [queued] 排队等待审核 · 预计 { $due } 前完成
        [in_review] 审核中 · 预计 { $due } 前完成
        [waiting_merchant] 需要您补充材料
        [approved] 已通过 ✅
        [rejected] 未通过
        [withdrawn] 已撤回
       *[other] { $status }
    }
lang-prompt = 请选择语言 / Choose your language:
lang-set = 好的，之后我用中文和您沟通。
lang-name-zh = 中文
lang-name-en = English

forget-confirm = 确定要删除您在这里保存的全部资料吗？包括没填完的申请和已结束申请里的个人信息。删除后无法恢复。
forget-done = 已删除您在这里保存的资料。
forget-blocked = 您还有 { $count } 笔申请正在处理，处理期间资料需要保留。等申请结束后，再发 /forget 就可以删除。
forget-kept = 好的，资料保留不动。
btn-forget-yes = 确定删除
btn-forget-no = 先不删

unknown-command = 没有这个命令。可以发 /help 查看能做什么。
reset-apology = 抱歉，系统升级后没能恢复您之前的对话进度，需要从头开始。给您带来不便了。
service-busy = 系统有点忙，您的消息没有丢，请稍等片刻再发一次。
keyboard-closed = 好的。

console-hello = posdesk 终端对话。输入消息后回车；输入按钮前的数字即可点按钮；/photo 文件名 代替发照片；/staff 扮演审核人员（发 /staff 看用法）；/quit 退出。
console-deleted = 🗑 这条消息已为您的安全删除
console-contact-hint = （可输入 /contact 手机号 代替“发送我的手机号”按钮，也可以直接输入号码）
console-staff-help = 扮演审核人员：/staff claim|approve|release [编号]、/staff reject 原因代码 [说明] [编号]（missing-materials、details-mismatch、unsettled、too-late、other 加说明）、/staff ask 问题 [编号]；不写编号就是最新的申请。/later 小时数：让时间过去，运行提醒任务。
console-later = 过了 { $hours } 小时（提醒任务已运行）
console-no-case = 这个对话还没有提交过申请。

group-private-only = 为了保护您的个人信息，请私聊我办理业务：点我的头像，再点“发消息”。
error-sorry = 抱歉，处理您这条消息时出了点问题。请再发一次，或发 /start 重新开始；您已经填写的内容都还在。
error-busy = 系统暂时有点忙。您的消息已经收到，恢复后会自动为您处理，不用重复发送。如果几分钟后仍没有回复，请稍后再试一次。

cmd-start = 开始 / 返回主菜单
cmd-status = 查看我的申请进度
cmd-cancel = 取消正在填写的申请
cmd-lang = 切换语言 / Language
cmd-help = 使用说明
cmd-forget = 删除我在这里保存的资料

# 审核进展（发给商户）
case-in-review = 您的申请 <code>{ $ref }</code> 已有审核人员开始处理，请留意消息。
case-approved = ✅ 您的申请 <code>{ $ref }</code> 已审核通过。
case-rejected = 很抱歉，您的申请 <code>{ $ref }</code> 未通过审核。原因：{ $reason }
reject-note = 审核人员补充说明：{ $text }
case-question =
    关于您的申请 <code>{ $ref }</code>，审核人员的问题是：
    { $question }
answer-received = 已把您的 { $count } 条补充交给审核人员，申请 <code>{ $ref }</code> 重新进入审核队列。
answer-later = 好的，先不回复。想回复时，发 /status 点“回复审核员”就行。
answer-prompt = 请发送您对申请 <code>{ $ref }</code> 的补充。
reminder = 您的【{ $kind }】申请还没填完（已填 { $done }/{ $total } 项），要继续吗？
withdraw-confirm = 确定要撤回申请 <code>{ $ref }</code> 吗？撤回后需要重新提交。
withdrawn = 申请 <code>{ $ref }</code> 已撤回。
cannot-withdraw = 申请 { $ref } 已经处理完，无法撤回。
btn-withdraw = 撤回 { $ref }
btn-withdraw-yes = 确定撤回
btn-withdraw-no = 不撤回
btn-answer = 回复审核员（{ $ref }）

reject-missing-materials = 材料不全，请补齐后重新提交。
reject-details-mismatch = 填写的信息与系统登记的不一致，请核对后重新提交。
reject-unsettled = 账户还有未结清的交易或款项，请处理完后再申请。
reject-too-late = 已超过可办理的时限。
reject-other = 其他原因（见下方说明）。

# 问候、“我刚才填到哪了”、没当作答案的提问
hello-again = 您好！我们接着来：
resume-here = 您好！您的【{ $kind }】申请还在，已填 { $done }/{ $total } 项，我们接着来：
not-taken-as-answer = 这句话像是在提问，我没有把它记作“{ $label }”。

# 放弃申请：先确认，之后还能恢复
discard-confirm = 要放弃这份【{ $kind }】申请吗？已经填好的 { $count } 项会一起删掉。
btn-discard-yes = 🗑 确定放弃
btn-discard-no = ↩️ 继续填写
draft-discarded =
    已放弃这份申请。
    如果是点错了，24 小时内点“恢复申请”或者发“恢复”，填好的 { $count } 项都能找回来。
btn-undo = ↩️ 恢复申请
undo-offer = 您刚才放弃了一份【{ $kind }】申请（已填 { $count } 项），要恢复吗？
draft-restored = 已经恢复了您的申请，我们接着来：
nothing-to-undo = 没有可以恢复的申请。

# 这台机器已有别人的申请在处理：不透露对方任何信息，可以给工作人员留言
serial-taken =
    这台机器已经有一笔申请在处理，不是从您这里提交的。为了保护隐私，那笔申请的情况我不能透露。
    如果机器确实在您手上（比如是别人转给您的），可以给工作人员留言说明，他们会核实。
    如果是序列号填错了，请重新输入。
btn-note-to-staff = ✍️ 给工作人员留言
note-prompt =
    请写下想告诉工作人员的情况，比如这台机器是怎么到您手上的。
    请不要发密码、验证码或完整卡号。
btn-no-note = ↩️ 不留言了
note-sent =
    留言已转给工作人员，留言编号：<code>{ $ref }</code>
    他们会核实这台机器的情况。之后联系工作人员时，请报这个编号。

# 审核结果之后：接下来会怎样、驳回后重新提交
case-approved-next = { $next ->
        [unbind]
            接下来：
            · 解绑通过后，剩余的资金会结算到您的银行账户。
            · 没有未结清欠款的话，可以带上身份证和银行卡信息，到当地网点或授权代理商办理撤机。
        [repair] 接下来：损坏严重的机器，可以通过品牌官方客服寄回厂家维修或更换，请联系客服安排。
        [refund]
            接下来：
            · 退款金额和方式会和您商定，有时要签一份退款协议。
            · 款项退回原来付款的银行卡。资料里没有写多久到账，到账后请核对金额。
            · 所有材料和聊天记录请继续保存好，作为凭证。
        [cancel] 接下来：请保存好所有材料和聊天记录作为凭证，之后也请继续留意账户有没有异常交易。
        [close] 接下来：账户会在申请后约 15 个工作日内停止使用。
       *[card] 接下来：资料里没有写新卡从哪天开始结算，请以 App 里显示的结算卡为准；有疑问可以联系品牌官方客服。
    }
resubmit-offer = 可以按原因补齐后重新提交。点“重新提交”，我会把这次填的内容预先填好，您只改需要改的地方。
btn-resubmit-now = 🔁 重新提交
btn-resubmit = 🔁 重新提交 { $ref }
resubmit-draft-open = 您还有一份没填完的申请。请先提交或放弃它，再重新提交被驳回的申请。
resubmit-prefilled = 已按申请 <code>{ $ref }</code> 的内容预先填好。请按未通过的原因，把要改的地方改好再提交。
status-question = 审核人员的问题：{ $question }
status-reason = 未通过的原因：{ $reason }

# 回复审核人员：可以分几条发，发完点按钮
answer-how = 请直接发文字或照片，可以分几条发。发完了点“发完了，交给审核员”。
answer-collected = 已记下 { $count } 条。还有要补充的可以接着发；发完了点“发完了，交给审核员”。
answer-empty = 还没有收到您的补充。请先发文字或照片，发完了再点“发完了，交给审核员”。
answer-sent-after-wait = 您之前发的 { $count } 条补充已经交给审核人员，申请 <code>{ $ref }</code> 重新进入审核队列。还要补充的话，发 /status 点“回复审核员”。
btn-answer-done = ✅ 发完了，交给审核员
btn-answer-later = 稍后再回复

# 答案意味着申请很可能通不过时的提醒（不阻止继续填写）
advice-balance-not-moved = 提醒：注销的第一步，是把账户里的余额转出到您自己的账户。还没转的话，建议先转出再提交，不然这份申请很可能通不过。
advice-not-unbound = 提醒：注销前要先解绑账户上的手机号和银行卡。建议解绑好再提交。
advice-holder-not-merchant = 提醒：新的结算卡必须是商户本人（或公司）名下的账户，家人的卡也不行。建议换一张本人名下的卡；确实要用这张的话，也可以先提交，由审核人员判断。
advice-received-long-ago = 提醒：一般建议在收到机器后三个月内申请，您收到已经超过三个月了。建议尽快提交，审核人员会看具体情况。
