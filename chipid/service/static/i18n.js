// Texts of the desk page in Vietnamese and English; dates dd/mm/yyyy in Vietnamese, "15 Oct 2040" in English.
"use strict";

const I18N = {
  vi: {
    title: "Kiểm tra căn cước gắn chip",
    conn_on: "Đã kết nối", conn_off: "Chưa kết nối",
    login_title: "Cần mã truy cập",
    login_help: "Mở đường dẫn mà lệnh \"chipid serve\" đã in ra (có chứa mã truy cập).",
    place_card: "Đặt thẻ căn cước lên đầu đọc", card_ready: "Đã có thẻ trên đầu đọc: nhập số CAN rồi bấm Đọc thẻ",
    reader: "Đầu đọc", card_present: "Có thẻ", no_card: "Không có thẻ", busy: "Đang đọc",
    no_readers: "Không tìm thấy đầu đọc",
    tab_can: "Số CAN", tab_mrz: "Thông tin MRZ",
    can_label: "Số CAN (6 chữ số in trên thẻ)",
    id_label: "Số định danh (12 số) hoặc số giấy tờ", dob_label: "Ngày sinh", doe_label: "Có giá trị đến",
    read_btn: "Đọc thẻ", reading: "Đang đọc thẻ…", keep_card: "Giữ yên thẻ trên đầu đọc",
    verifying: "Đang xác thực…",
    reasons: "Chi tiết kiểm tra",
    GENUINE: "THẺ THẬT", NOT_GENUINE: "THẺ KHÔNG HỢP LỆ", INCOMPLETE: "CHƯA XÁC THỰC ĐẦY ĐỦ",
    verdict_help_GENUINE: "Chữ ký số và chip đã được xác thực.",
    verdict_help_NOT_GENUINE: "Một phép kiểm tra bắt buộc không đạt: không chấp nhận thẻ này.",
    verdict_help_INCOMPLETE: "Không có lỗi, nhưng chưa kiểm tra được mọi yêu cầu.",
    status_PASSED: "Đạt", status_WARN: "Lưu ý", status_FAILED: "Không đạt", status_NOT_PERFORMED: "Chưa kiểm tra",
    face_title: "Đối chiếu khuôn mặt", camera_on: "Bật camera", capture: "Chụp và so khớp",
    comparing: "Đang so khớp…",
    same_person: "CÙNG MỘT NGƯỜI", different_person: "KHÔNG PHẢI CÙNG MỘT NGƯỜI",
    face_score: "điểm", face_threshold: "ngưỡng",
    print: "In biên nhận", new_customer: "Khách hàng mới", printed_at: "In lúc",
    privacy: "Dữ liệu chỉ lưu trong bộ nhớ và tự xoá sau",
    seconds: "giây",
    f_full_name: "Họ và tên", f_id_number: "Số định danh", f_date_of_birth: "Ngày sinh", f_sex: "Giới tính",
    f_nationality: "Quốc tịch", f_ethnicity: "Dân tộc", f_religion: "Tôn giáo", f_place_of_origin: "Quê quán",
    f_place_of_residence: "Nơi thường trú", f_identifying_marks: "Đặc điểm nhận dạng",
    f_date_of_issue: "Ngày cấp", f_date_of_expiry: "Có giá trị đến", f_father: "Họ tên cha",
    f_mother: "Họ tên mẹ", f_spouse: "Họ tên vợ/chồng", f_old_id_number: "Số CMND cũ",
    f_document_number: "Số giấy tờ (MRZ)", f_protocol: "Giao thức truy cập",
    sex_M: "Nam", sex_F: "Nữ",
    err_no_card: "Không có thẻ trên đầu đọc: đặt thẻ lên rồi thử lại.",
    err_no_reader: "Không tìm thấy đầu đọc thẻ.",
    err_card_removed: "Thẻ bị nhấc ra khi đang đọc: đặt lại thẻ, giữ yên và thử lại.",
    err_card_in_use: "Thẻ đang được chương trình khác sử dụng: đóng chương trình đó rồi thử lại.",
    err_access_denied: "Sai số CAN hoặc thông tin MRZ: kiểm tra lại các số in trên thẻ.",
    err_reader_busy: "Đầu đọc đang bận với lượt đọc khác: chờ một chút.",
    err_invalid_key: "Số CAN phải gồm 6 chữ số; thông tin MRZ cần số giấy tờ, ngày sinh và ngày hết hạn.",
    err_expired: "Dữ liệu đã được xoá (hết thời gian lưu): đọc lại thẻ.",
    err_unauthorized: "Mã truy cập không đúng: mở lại đường dẫn do chipid serve in ra.",
    err_read_error: "Không đọc được thẻ.", err_internal: "Lỗi nội bộ của dịch vụ.",
    err_camera: "Không mở được camera.",
    err_face_unavailable: "Chưa cài đặt chức năng so khớp khuôn mặt (chipid[face]).",
    err_NoFaceError: "Không thấy khuôn mặt trong ảnh: khách hàng nhìn thẳng vào camera.",
    err_MultipleFacesError: "Có nhiều khuôn mặt trong ảnh: đề nghị khách hàng đứng một mình.",
    err_FaceTooSmallError: "Khuôn mặt quá nhỏ: khách hàng lại gần camera hơn.",
    err_FaceTooBlurredError: "Ảnh bị mờ: giữ yên và chụp lại.",
    err_UnreadableImageError: "Không đọc được ảnh.",
    err_FaceImageError: "Ảnh khuôn mặt không dùng được.",
  },
  en: {
    title: "Chip ID card check",
    conn_on: "Connected", conn_off: "Not connected",
    login_title: "Access token needed",
    login_help: "Open the link that \"chipid serve\" printed (it carries the access token).",
    place_card: "Place the ID card on the reader", card_ready: "Card on the reader: enter the CAN and press Read card",
    reader: "Reader", card_present: "Card present", no_card: "No card", busy: "Reading",
    no_readers: "No reader found",
    tab_can: "CAN", tab_mrz: "MRZ details",
    can_label: "CAN (the 6 digits printed on the card)",
    id_label: "ID number (12 digits) or document number", dob_label: "Date of birth", doe_label: "Date of expiry",
    read_btn: "Read card", reading: "Reading the card…", keep_card: "Keep the card still on the reader",
    verifying: "Verifying…",
    reasons: "Check details",
    GENUINE: "GENUINE", NOT_GENUINE: "NOT GENUINE", INCOMPLETE: "INCOMPLETE",
    verdict_help_GENUINE: "The digital signatures and the chip were verified.",
    verdict_help_NOT_GENUINE: "A required check failed: do not accept this card.",
    verdict_help_INCOMPLETE: "Nothing failed, but not every required check could be made.",
    status_PASSED: "Passed", status_WARN: "Note", status_FAILED: "Failed", status_NOT_PERFORMED: "Not checked",
    face_title: "Face match", camera_on: "Start camera", capture: "Capture and compare",
    comparing: "Comparing…",
    same_person: "SAME PERSON", different_person: "NOT THE SAME PERSON",
    face_score: "score", face_threshold: "threshold",
    print: "Print receipt", new_customer: "Next customer", printed_at: "Printed at",
    privacy: "Data is kept in memory only and wiped after",
    seconds: "seconds",
    f_full_name: "Full name", f_id_number: "ID number", f_date_of_birth: "Date of birth", f_sex: "Sex",
    f_nationality: "Nationality", f_ethnicity: "Ethnicity", f_religion: "Religion",
    f_place_of_origin: "Place of origin", f_place_of_residence: "Place of residence",
    f_identifying_marks: "Identifying marks", f_date_of_issue: "Date of issue", f_date_of_expiry: "Date of expiry",
    f_father: "Father", f_mother: "Mother", f_spouse: "Spouse", f_old_id_number: "Old ID number",
    f_document_number: "Document number (MRZ)", f_protocol: "Access protocol",
    sex_M: "Male", sex_F: "Female",
    err_no_card: "No card on the reader: place the card and retry.",
    err_no_reader: "No card reader found.",
    err_card_removed: "The card was lifted during the read: put it back, keep it still, and retry.",
    err_card_in_use: "Another program is using the card: close it and retry.",
    err_access_denied: "Wrong CAN or MRZ details: check the numbers printed on the card.",
    err_reader_busy: "The reader is busy with another read: wait a moment.",
    err_invalid_key: "The CAN is 6 digits; MRZ details need the document number, date of birth and date of expiry.",
    err_expired: "The data was wiped (time limit over): read the card again.",
    err_unauthorized: "Wrong access token: open the link printed by chipid serve again.",
    err_read_error: "The card could not be read.", err_internal: "Internal error of the service.",
    err_camera: "The camera could not be opened.",
    err_face_unavailable: "Face matching is not installed (chipid[face]).",
    err_NoFaceError: "No face in the picture: ask the customer to look at the camera.",
    err_MultipleFacesError: "Several faces in the picture: ask the customer to stand alone.",
    err_FaceTooSmallError: "The face is too small: ask the customer to come closer.",
    err_FaceTooBlurredError: "The picture is blurred: hold still and capture again.",
    err_UnreadableImageError: "The picture could not be read.",
    err_FaceImageError: "The face picture cannot be used.",
  },
};

// Check names of chipid.report/1, in words (the library's reason text is shown beside them).
const CHECK_NAMES = {
  vi: {
    "pa.sod_parse": "Đọc tệp SOD", "pa.ds_certificate": "Chứng thư ký số (DS)",
    "pa.sod_signature": "Chữ ký số của SOD", "pa.content_type": "Kiểu nội dung SOD",
    "pa.message_digest": "Giá trị băm SOD", "pa.ds_chain": "Chuỗi chứng thư đến CSCA tin cậy",
    "pa.ds_validity_signing": "Hiệu lực chứng thư lúc ký", "pa.ds_validity_now": "Hiệu lực chứng thư hiện tại",
    "pa.ds_key_usage": "Mục đích sử dụng khoá", "pa.ds_revocation": "Tình trạng thu hồi",
    "active_authentication": "Xác thực chủ động (AA)", "chip_authentication": "Xác thực chip (CA)",
    "access.downgrade": "Giao thức truy cập", "document.expiry": "Hạn sử dụng",
    "document.id_consistency": "Tính nhất quán số định danh", "biometric.face": "Khuôn mặt",
  },
  en: {
    "pa.sod_parse": "SOD parsed", "pa.ds_certificate": "Document Signer certificate",
    "pa.sod_signature": "SOD signature", "pa.content_type": "SOD content type",
    "pa.message_digest": "SOD message digest", "pa.ds_chain": "Chain to a trusted CSCA",
    "pa.ds_validity_signing": "Certificate valid at signing", "pa.ds_validity_now": "Certificate valid now",
    "pa.ds_key_usage": "Key usage", "pa.ds_revocation": "Revocation status",
    "active_authentication": "Active Authentication", "chip_authentication": "Chip Authentication",
    "access.downgrade": "Access protocol", "document.expiry": "Expiry",
    "document.id_consistency": "ID number consistency", "biometric.face": "Face",
  },
};

const MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function checkName(lang, name) {
  const names = CHECK_NAMES[lang];
  if (names[name]) return names[name];
  if (name.startsWith("pa.dg_hash.")) return (lang === "vi" ? "Giá trị băm " : "Hash of ") + name.slice(11);
  if (name.startsWith("pa.dg_uncovered.")) return (lang === "vi" ? "Tệp không được ký: " : "Unsigned file: ") + name.slice(16);
  if (name.startsWith("read.")) return (lang === "vi" ? "Đọc " : "Read ") + name.slice(5);
  return name;
}

// "1980-10-15" -> "15/10/1980" (vi) or "15 Oct 1980" (en); anything else is shown as the card has it.
function formatDate(lang, value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
  if (!m) return value;
  return lang === "vi" ? `${m[3]}/${m[2]}/${m[1]}` : `${Number(m[3])} ${MONTHS_EN[Number(m[2]) - 1]} ${m[1]}`;
}

function formatSex(lang, value) {
  const code = { M: "M", F: "F", Nam: "M", "Nữ": "F" }[value];
  return code ? I18N[lang]["sex_" + code] : value;
}
