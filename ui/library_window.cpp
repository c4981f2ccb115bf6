// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/library_window.h"

#include <algorithm>
#include <set>

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "core/catalog/path_text.h"
#include "core/tagfile/track_source.h"
#include "core/tags/tag_vocabulary.h"
#include "ui/tag_review_dialog.h"

namespace tagscope::ui {

namespace {

QString pathText(const std::filesystem::path& p) { return QString::fromStdString(catalog::displayPath(p)); }

} // namespace

LibraryWindow::LibraryWindow(QWidget* parent) : QWidget(parent, Qt::Window) {
    setWindowTitle(tr("Library"));
    resize(1100, 640);
    m_text = new QLineEdit(this);
    m_text->setPlaceholderText(tr("Search file names…"));
    m_text->setObjectName(QStringLiteral("libraryText"));
    m_tag = new QComboBox(this);
    m_tag->setObjectName(QStringLiteral("libraryTag"));
    m_tag->setMinimumContentsLength(24);
    m_group = new QComboBox(this);
    m_group->setObjectName(QStringLiteral("libraryGroup"));
    m_group->setMinimumContentsLength(14);
    m_threshold = new QDoubleSpinBox(this);
    m_threshold->setObjectName(QStringLiteral("libraryThreshold"));
    m_threshold->setRange(0.0, 1.0);
    m_threshold->setSingleStep(0.05);
    m_threshold->setValue(0.5);
    m_threshold->setToolTip(tr("Minimum score of the chosen tag or group"));
    auto* reloadButton = new QPushButton(tr("Reload"), this);
    m_write = new QPushButton(tr("Write tags…"), this);
    m_write->setObjectName(QStringLiteral("libraryWrite"));
    m_write->setToolTip(tr("Review the stored tags of the selected tracks and write them into the files"));
    m_write->setEnabled(false);

    auto* controls = new QHBoxLayout;
    controls->addWidget(m_text, 2);
    controls->addWidget(new QLabel(tr("Tag"), this));
    controls->addWidget(m_tag, 1);
    controls->addWidget(new QLabel(tr("Group"), this));
    controls->addWidget(m_group);
    controls->addWidget(new QLabel(tr("at least"), this));
    controls->addWidget(m_threshold);
    controls->addWidget(reloadButton);
    controls->addWidget(m_write);

    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("libraryList"));
    m_list->setColumnCount(4);
    m_list->setHeaderLabels({tr("Track"), tr("Score"), tr("Top tags"), tr("Model")});
    m_list->setRootIsDecorated(false);
    m_list->setAlternatingRowColors(true);
    m_list->setUniformRowHeights(true);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_list->header()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_list->setColumnWidth(0, 440);
    m_list->setColumnWidth(1, 60);
    m_list->setColumnWidth(3, 170);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("libraryStatus"));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_status);

    connect(m_text, &QLineEdit::textChanged, this, &LibraryWindow::applyFilter);
    connect(m_tag, &QComboBox::currentIndexChanged, this, &LibraryWindow::applyFilter);
    connect(m_group, &QComboBox::currentIndexChanged, this, &LibraryWindow::applyFilter);
    connect(m_threshold, &QDoubleSpinBox::valueChanged, this, &LibraryWindow::applyFilter);
    connect(reloadButton, &QPushButton::clicked, this, &LibraryWindow::reload);
    connect(m_write, &QPushButton::clicked, this, &LibraryWindow::reviewSelected);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this,
            [this] { m_write->setEnabled(!m_list->selectedItems().isEmpty()); });
    connect(m_list, &QTreeWidget::itemActivated, this,
            [this](QTreeWidgetItem* item, int) { openRow(m_list->indexOfTopLevelItem(item)); });
}

LibraryWindow::~LibraryWindow() = default;

bool LibraryWindow::openCatalog(const QString& file) {
    auto c = catalog::Catalog::open(QFile::encodeName(file).toStdString());
    if (!c) {
        m_catalog.reset();
        m_entries.clear();
        m_list->clear();
        m_status->setText(QString::fromStdString(catalog::toValidUtf8(c.error().message)));
        return false;
    }
    m_catalog = std::move(*c);
    setWindowTitle(tr("Library — %1").arg(file));
    reload();
    return true;
}

void LibraryWindow::reload() {
    if (!m_catalog) return;
    auto entries = m_catalog->library();
    if (!entries) {
        m_status->setText(QString::fromStdString(catalog::toValidUtf8(entries.error().message)));
        return;
    }
    m_entries = std::move(*entries);
    fillChoices();
    applyFilter();
}

void LibraryWindow::fillChoices() {
    // Every tag and group that occurs in the library, sorted for people.
    std::set<std::pair<std::string, std::string>> tagChoices; // display name -> filter key
    std::set<std::string> groups;
    for (const auto& e : m_entries) {
        const auto names = tags::displayTagNames(e.track.tagNames, e.track.vocabularies);
        for (size_t i = 0; i < e.track.tagNames.size(); ++i) {
            const std::string vocab = i < e.track.vocabularies.size() ? e.track.vocabularies[i] : "";
            tagChoices.insert({names[i], vocab.empty() ? e.track.tagNames[i] : e.track.tagNames[i] + " (" + vocab + ")"});
        }
        for (const auto& g : e.groups) groups.insert(g.group);
    }
    const QSignalBlocker blockTag(m_tag), blockGroup(m_group);
    const QString oldTag = m_tag->currentText(), oldGroup = m_group->currentText();
    m_tag->clear();
    m_tagKeys = {""};
    m_tag->addItem(tr("(any tag)"));
    for (const auto& [display, key] : tagChoices) {
        m_tag->addItem(QString::fromStdString(display));
        m_tagKeys.push_back(key);
    }
    m_group->clear();
    m_group->addItem(tr("(any group)"));
    for (const auto& g : groups) m_group->addItem(QString::fromStdString(g));
    m_tag->setCurrentIndex(std::max(0, m_tag->findText(oldTag)));
    m_group->setCurrentIndex(std::max(0, m_group->findText(oldGroup)));
}

catalog::TrackFilter LibraryWindow::currentFilter() const {
    catalog::TrackFilter f;
    const int t = m_tag->currentIndex();
    if (t > 0 && size_t(t) < m_tagKeys.size()) f.tag = m_tagKeys[size_t(t)];
    if (m_group->currentIndex() > 0) f.group = m_group->currentText().toStdString();
    f.minScore = float(m_threshold->value());
    f.text = m_text->text().toStdString();
    return f;
}

void LibraryWindow::setFilter(const catalog::TrackFilter& filter) {
    const QSignalBlocker a(m_tag), b(m_group), c(m_threshold), d(m_text);
    int tag = 0;
    for (size_t i = 1; i < m_tagKeys.size(); ++i)
        if (m_tagKeys[i] == filter.tag || (filter.tag.size() && m_tagKeys[i].rfind(filter.tag + " (", 0) == 0 && tag == 0))
            tag = int(i);
    m_tag->setCurrentIndex(tag);
    m_group->setCurrentIndex(filter.group.empty() ? 0 : std::max(0, m_group->findText(QString::fromStdString(filter.group))));
    m_threshold->setValue(filter.minScore);
    m_text->setText(QString::fromStdString(filter.text));
    applyFilter();
}

void LibraryWindow::applyFilter() {
    const auto filter = currentFilter();
    // NOTE: the threshold applies to the chosen tag or group; without one it would look active
    // while every track is listed (the screenshot showed "at least 0.50" over 0.27 rows).
    m_threshold->setEnabled(m_tag->currentIndex() > 0 || m_group->currentIndex() > 0);
    const auto hits = catalog::search(m_entries, filter);
    m_list->clear();
    for (const auto* e : hits) {
        const auto names = tags::displayTagNames(e->track.tagNames, e->track.vocabularies);
        QStringList top;
        for (const auto& s : catalog::topTags(e->track, 4))
            top << QStringLiteral("%1 %2").arg(QString::fromStdString(names[s.index])).arg(double(s.score), 0, 'f', 2);
        auto* item = new QTreeWidgetItem(m_list);
        item->setText(0, QString::fromStdString(catalog::toValidUtf8(e->track.path.filename().native())));
        item->setToolTip(0, pathText(e->track.path));
        item->setData(0, Qt::UserRole, QByteArray::fromStdString(e->track.path.native())); // exact bytes
        item->setText(1, QString::number(double(catalog::filterScore(*e, filter)), 'f', 2));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(2, top.join(QStringLiteral(", ")));
        item->setText(3, QString::fromStdString(e->track.modelId));
    }
    m_write->setEnabled(false);
    m_status->setText(tr("%1 of %2 catalogued tracks — double-click a track to open its stored analysis; select tracks "
                         "and press “Write tags…” to write their tags into the files")
                          .arg(hits.size())
                          .arg(m_entries.size()));
}

int LibraryWindow::visibleTracks() const { return m_list->topLevelItemCount(); }

bool LibraryWindow::openRow(int row) {
    if (!m_catalog || row < 0 || row >= m_list->topLevelItemCount()) return false;
    const QByteArray bytes = m_list->topLevelItem(row)->data(0, Qt::UserRole).toByteArray();
    const std::filesystem::path path(bytes.toStdString());
    auto stored = m_catalog->latestAnalysis(path);
    if (!stored || !*stored) {
        m_status->setText(stored ? tr("No stored analysis for %1").arg(pathText(path))
                                 : QString::fromStdString(catalog::toValidUtf8(stored.error().message)));
        return false;
    }
    Q_EMIT trackOpened(QFile::decodeName(bytes), **stored);
    return true;
}

std::vector<tagfile::TrackTags> LibraryWindow::selectedTracks() const {
    std::vector<tagfile::TrackTags> out;
    for (int row = 0; row < m_list->topLevelItemCount(); ++row) {
        const QTreeWidgetItem* item = m_list->topLevelItem(row);
        if (!item->isSelected()) continue;
        const std::filesystem::path path(item->data(0, Qt::UserRole).toByteArray().toStdString());
        auto it = std::find_if(m_entries.begin(), m_entries.end(), [&](const auto& e) { return e.track.path == path; });
        if (it != m_entries.end()) out.push_back(tagfile::trackTagsFromCatalog(it->track));
    }
    return out;
}

void LibraryWindow::reviewSelected() {
    const auto tracks = selectedTracks();
    if (tracks.empty()) return;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    auto plans = TagReviewDialog::plansFor(tracks);
    QApplication::restoreOverrideCursor();
    TagReviewDialog dialog(std::move(plans), this);
    connect(&dialog, &TagReviewDialog::applied, this, [this, &dialog](int) { noteWritten(dialog.writtenFiles()); });
    dialog.exec();
}

void LibraryWindow::noteWritten(const std::vector<std::filesystem::path>& files) {
    if (!m_catalog || files.empty()) return;
    for (const auto& f : files) {
        auto row = m_catalog->track(f);
        auto now = catalog::statTrackFile(f);
        if (!row || !*row || !now) continue;
        now->audioHash = (*row)->audioHash;
        if (auto ok = m_catalog->putTrack(*now); !ok)
            m_status->setText(QString::fromStdString(catalog::toValidUtf8(ok.error().message)));
    }
    reload();
}

} // namespace tagscope::ui
