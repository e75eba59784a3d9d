#pragma once
// Reading back what the XLSX writer made, as a spreadsheet program would: the file is a zip, and a
// worksheet is one XML part in it.

#include <Poco/StreamCopier.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>

#include <sstream>
#include <stdexcept>
#include <string>

namespace registry::testing {

/// The text of `part` (e.g. "xl/worksheets/sheet1.xml") in the .xlsx `bytes`; throws when it is absent.
inline std::string xlsxPart(const std::string& bytes, const std::string& part) {
    std::istringstream in(bytes);
    Poco::Zip::ZipArchive archive(in);
    const auto found = archive.findHeader(part);
    if (found == archive.headerEnd()) throw std::runtime_error("no " + part + " in the workbook");
    Poco::Zip::ZipInputStream entry(in, found->second, true);
    std::string text;
    Poco::StreamCopier::copyToString(entry, text);
    return text;
}

/// The first worksheet's XML.
inline std::string xlsxSheet(const std::string& bytes) { return xlsxPart(bytes, "xl/worksheets/sheet1.xml"); }

} // namespace registry::testing
