# 输入校验与隐私保护的提示语。
# 每条 invalid-* 消息说明哪里不对，并给出一个正确的例子；privacy-refused-* 在删除含敏感信息的消息后发送。
# 消息 id 与 src/domain/ 中 Invalid::message_id() 和 Sensitive::message_id() 一一对应（有测试检查）。

## 手机号

invalid-phone-invalid-chars = 手机号里只能有数字，请直接发 11 位手机号，比如 13812345678。
invalid-phone-length = 手机号需要是 11 位的大陆手机号，比如 13812345678。
invalid-phone-not-mobile = 这个号码不是大陆手机号。请留一个能接电话、收短信的手机号（1 开头），比如 13812345678。

## 设备序列号（SN / IMEI）

invalid-serial-invalid-chars = 设备序列号（SN）只有字母和数字，一般印在机器背面或电池仓里的标签上，比如 N7NL00123456。
invalid-serial-too-short = 这个序列号太短了，请对照机器标签上的 SN 完整发一下，比如 N7NL00123456。
invalid-serial-too-long = 这个序列号太长了，请只发标签上 SN 后面的那一串，比如 N7NL00123456。
invalid-serial-no-digit = 序列号里一般有数字，请再核对一下机器标签上的 SN，比如 N7NL00123456。

## 商户编号

invalid-merchant-no-invalid-chars = 商户编号只有字母和数字，可以在 App 的商户信息或开通短信里找到，比如 822100050112345。
invalid-merchant-no-too-short = 商户编号位数不够，请完整发一下，比如 822100050112345（拉卡拉的商户编号是 15 位）。
invalid-merchant-no-too-long = 商户编号太长了，请只发编号本身，比如 822100050112345。
invalid-merchant-no-too-few-digits = 这看起来不像商户编号，商户编号基本都是数字，比如 822100050112345。

## 商户名称

invalid-merchant-name-too-short = 请填写完整的商户名称（和营业执照或 App 里登记的一致），比如 张三便利店。
invalid-merchant-name-too-long = 商户名称最多 60 个字，请只填登记的名称，比如 深圳市南山区张三便利店。
invalid-merchant-name-no-letters = 商户名称不能只有数字或符号，请填写登记的店名或公司名，比如 张三便利店。

## 姓名

invalid-person-name-too-short = 请填写完整的姓名，比如 张三。
invalid-person-name-too-long = 姓名最多 30 个字，请只填姓名本身，比如 张三。
invalid-person-name-has-digits = 姓名里不能有数字，请只填姓名，比如 张三。
invalid-person-name-invalid-chars = 姓名只能是中文或英文字母，少数民族姓名中间可以用 ·，比如 张三 或 买买提·艾力。

## 银行卡后四位

invalid-card-last4-no-digits = 请发银行卡号的最后 4 位数字，比如 1234。
invalid-card-last4-too-few-digits = 不够 4 位数字，请发银行卡号的最后 4 位，比如 1234。
invalid-card-last4-too-many-digits = 为了您的资金安全，只发卡号的最后 4 位就可以，比如 1234，不要发完整卡号。

## 开户银行

invalid-bank-name-digits-only = 这里请填开户银行的名称，不是卡号，比如 中国工商银行 或 工行。
invalid-bank-name-not-bank = 没认出是哪家银行，请发开户银行的名称，比如 中国建设银行、招商银行 或 XX农商银行。
invalid-bank-name-too-long = 银行名称太长了，写银行名字就可以，不用写支行，比如 中国农业银行。

## 文字说明

invalid-text-too-short = 请多写几个字说明一下情况，比如：机器开不了机，屏幕不亮。
invalid-text-too-long = 内容有点长（最多 300 字），请简单说明一下，比如：店不开了，机器一直没用。

## 日期

invalid-date-in-future = 这个日期还没到，请发已经过去的日期，比如 3月15日 或 昨天。
invalid-date-too-old = 这个日期是 5 年以前的了，请再核对一下年份。不写年份的话按最近的那一天算，比如 3月15日。
invalid-date-impossible = 日历上没有这一天，请再核对一下，比如 2月28日 或 3月15日。
invalid-date-unreadable = 没看懂这个日期，可以这样写，比如 3月15日、2025-03-15 或 昨天。

## 申请编号

invalid-case-ref-malformed = 这个编号格式不对。申请编号是两个字母、一个横杠和 6 位字母数字，比如 UB-7K3QF9。

## 隐私保护：消息已删除

privacy-refused-card = 为了您的安全，刚才那条消息已经删除了。我们不需要完整的银行卡号，只要卡号的最后 4 位就够了，比如 1234。
privacy-refused-id = 为了您的安全，刚才那条消息已经删除了。我们不需要完整的身份证号码；需要核验身份时，请按提示上传身份证照片，照片只给人工审核人员查看。
privacy-refused-password = 为了您的安全，刚才那条消息已经删除了。我们任何时候都不需要您的登录密码、支付密码或 PIN，也请不要告诉任何人。忘记密码的话，可以在官方 App 里点「忘记密码」重置。
privacy-refused-sms-code = 为了您的安全，刚才那条消息已经删除了。我们不需要短信验证码，请不要发给任何人，包括自称客服的人。验证码只在官方 App 里自己填写就好。
