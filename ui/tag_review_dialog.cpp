// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/tag_review_dialog.h"

#include <map>

#include <QApplication>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "core/tagfile/safe_writer.h"
#include "core/tagfile/track_source.h"

namespace tagscope::ui {
namespace {

enum Column { kName = 0, kNow, kAfter, kScore, kResult };
constexpr int kPlanRole = Qt::UserRole;
constexpr int kChangeRole = Qt::UserRole + 1;
constexpr int kValueRole = Qt::UserRole + 2;

QString qs(const std::string& s) { return QString::fromStdString(s); }

QString joined(const std::vector<std::string>& values) {
    return values.empty() ? QObject::tr("(none)") : qs(tagfile::joinValues(values));
}

/// `change.after` without the values whose box is unticked under `fieldItem`.
std::vector<std::string> keptValues(const tagfile::FieldChange& change, const QTreeWidgetItem* fieldItem) {
    std::vector<std::string> after = change.after;
    if (change.field == tagfile::kTagscopeField)
        return fieldItem->checkState(kName) == Qt::Unchecked ? change.before : after;
    for (int i = 0; i < fieldItem->childCount(); ++i) {
        const QTreeWidgetItem* v = fieldItem->child(i);
        if (v->checkState(kName) != Qt::Unchecked) continue;
        const std::string value = v->data(kName, kValueRole).toString().toStdString();
        std::erase_if(after, [&](const std::string& x) { return x == value; });
    }
    return after;
}

std::optional<tags::Taxonomy> taxonomyOf(const cards::ModelCard& card) {
    if (!card.taxonomyPath) return std::nullopt;
    auto t = tags::loadTaxonomy(*card.taxonomyPath);
    return t ? std::optional<tags::Taxonomy>(*t) : std::nullopt;
}

} // namespace

TagReviewDialog::TagReviewDialog(std::vector<tagfile::FilePlan> plans, QWidget* parent, QString journalPath)
    : QDialog(parent), m_plans(std::move(plans)), m_journalPath(std::move(journalPath)) {
    setWindowTitle(tr("Write tags to files"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Tick the files and values to write. GENRE and MOOD get the checked values; "
                                "TAGSCOPE keeps the model and its scores. Other fields are never changed. "
                                "Each file is written through a verified copy, and a journal allows undo."), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(5);
    m_tree->setHeaderLabels({tr("File / field / value"), tr("Now"), tr("After writing"), tr("Score"), tr("Result")});
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    layout->addWidget(m_tree, 1);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_apply = buttons->addButton(tr("&Apply"), QDialogButtonBox::ApplyRole);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_apply, &QPushButton::clicked, this, &TagReviewDialog::apply);
    connect(m_tree, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item, int column) {
        if (m_populating || column != kName) return;
        QTreeWidgetItem* field = item->data(kName, kChangeRole).isValid() ? item : item->parent();
        if (field && field->data(kName, kChangeRole).isValid()) refreshAfterColumn(field);
    });
    populate();
    resize(980, 560);
}

void TagReviewDialog::populate() {
    m_populating = true;
    size_t changing = 0;
    for (size_t p = 0; p < m_plans.size(); ++p) {
        const auto& plan = m_plans[p];
        auto* fileItem = new QTreeWidgetItem(m_tree);
        fileItem->setText(kName, QString::fromLocal8Bit(plan.file.filename().c_str()));
        fileItem->setToolTip(kName, QString::fromLocal8Bit(plan.file.c_str()));
        fileItem->setData(kName, kPlanRole, qulonglong(p));
        fileItem->setText(kNow, qs(plan.format));
        if (!plan.skipReason.empty() || !plan.hasChanges()) {
            fileItem->setFlags(fileItem->flags() & ~Qt::ItemIsUserCheckable);
            fileItem->setText(kResult, plan.skipReason.empty() ? tr("already tagged") : qs(plan.skipReason));
            fileItem->setToolTip(kResult, fileItem->text(kResult));
            fileItem->setForeground(kName, palette().brush(QPalette::Disabled, QPalette::Text));
            continue;
        }
        ++changing;
        fileItem->setFlags(fileItem->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate);
        fileItem->setCheckState(kName, Qt::Checked);
        for (size_t c = 0; c < plan.changes.size(); ++c) {
            const auto& change = plan.changes[c];
            auto* fieldItem = new QTreeWidgetItem(fileItem);
            fieldItem->setText(kName, qs(change.field));
            fieldItem->setData(kName, kChangeRole, qulonglong(c));
            fieldItem->setText(kNow, joined(change.before));
            fieldItem->setToolTip(kNow, joined(change.before));
            if (!change.changed()) {
                fieldItem->setFlags(fieldItem->flags() & ~Qt::ItemIsUserCheckable);
                fieldItem->setText(kAfter, tr("(unchanged)"));
                continue;
            }
            fieldItem->setFlags(fieldItem->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate);
            fieldItem->setCheckState(kName, Qt::Checked);
            for (const auto& [value, score] : change.proposed) {
                if (std::any_of(change.before.begin(), change.before.end(),
                                [&](const std::string& b) { return tagfile::sameValue(b, value); }))
                    continue;
                auto* valueItem = new QTreeWidgetItem(fieldItem);
                valueItem->setText(kName, qs(value));
                valueItem->setData(kName, kValueRole, qs(value));
                valueItem->setText(kScore, QString::number(double(score), 'f', 2));
                valueItem->setFlags(valueItem->flags() | Qt::ItemIsUserCheckable);
                valueItem->setCheckState(kName, Qt::Checked);
            }
            refreshAfterColumn(fieldItem);
        }
        fileItem->setExpanded(true);
        for (int i = 0; i < fileItem->childCount(); ++i) fileItem->child(i)->setExpanded(true);
    }
    m_populating = false;
    m_tree->header()->setSectionResizeMode(kName, QHeaderView::ResizeToContents);
    m_tree->setColumnWidth(kNow, 200);
    m_tree->setColumnWidth(kAfter, 280);
    m_tree->setColumnWidth(kScore, 60);
    m_summary->setText(tr("%1 of %2 file(s) would change.").arg(changing).arg(m_plans.size()));
    m_apply->setEnabled(changing > 0);
}

void TagReviewDialog::refreshAfterColumn(QTreeWidgetItem* fieldItem) {
    const QTreeWidgetItem* fileItem = fieldItem->parent();
    if (!fileItem) return;
    const auto& plan = m_plans[fileItem->data(kName, kPlanRole).toULongLong()];
    const auto& change = plan.changes[fieldItem->data(kName, kChangeRole).toULongLong()];
    const QString text = joined(keptValues(change, fieldItem));
    fieldItem->setText(kAfter, text);
    fieldItem->setToolTip(kAfter, text);
}

std::vector<tagfile::FilePlan> TagReviewDialog::reviewedPlans() const {
    std::vector<tagfile::FilePlan> out;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* fileItem = m_tree->topLevelItem(i);
        tagfile::FilePlan plan = m_plans[fileItem->data(kName, kPlanRole).toULongLong()];
        if (!(fileItem->flags() & Qt::ItemIsUserCheckable) || fileItem->checkState(kName) == Qt::Unchecked) continue;
        for (int f = 0; f < fileItem->childCount(); ++f) {
            const QTreeWidgetItem* fieldItem = fileItem->child(f);
            auto& change = plan.changes[fieldItem->data(kName, kChangeRole).toULongLong()];
            if (change.changed()) change.after = keptValues(change, fieldItem);
        }
        if (plan.hasChanges()) out.push_back(std::move(plan));
    }
    return out;
}

void TagReviewDialog::apply() {
    const auto plans = reviewedPlans();
    if (plans.empty()) {
        m_summary->setText(tr("Nothing is ticked: nothing was written."));
        return;
    }
    const std::filesystem::path journalPath =
        m_journalPath.isEmpty() ? tagfile::defaultJournalPath() : std::filesystem::path(m_journalPath.toStdString());
    auto journal = tagfile::WriteJournal::open(journalPath);
    if (!journal) {
        m_summary->setText(qs(journal.error().message));
        return;
    }
    m_apply->setEnabled(false);
    QApplication::setOverrideCursor(Qt::WaitCursor);
    std::map<std::filesystem::path, tagfile::WriteOutcome> outcomes;
    int written = 0;
    for (const auto& plan : plans) {
        // NOTE: each file takes well under a second; the event loop runs between files so the
        // results appear as they come.
        auto o = tagfile::applyPlan(plan, &*journal);
        written += o.status == tagfile::WriteStatus::Written;
        outcomes[plan.file] = std::move(o);
        QApplication::processEvents(QEventLoop::ExcludeUserInputEvents);
    }
    QApplication::restoreOverrideCursor();
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_tree->topLevelItem(i);
        const auto& file = m_plans[item->data(kName, kPlanRole).toULongLong()].file;
        auto it = outcomes.find(file);
        if (it == outcomes.end()) continue;
        const auto& o = it->second;
        item->setText(kResult, o.status == tagfile::WriteStatus::Written
                                   ? tr("written")
                                   : QStringLiteral("%1: %2").arg(tagfile::statusName(o.status), qs(o.message)));
        item->setToolTip(kResult, item->text(kResult));
    }
    m_summary->setText(tr("%1 of %2 file(s) written. Journal: %3 — undo with: tagscope-cli write --undo \"%3\"")
                           .arg(written).arg(plans.size()).arg(QString::fromLocal8Bit(journalPath.c_str())));
    Q_EMIT applied(written);
}

void TagReviewDialog::reviewAndWrite(QWidget* parent, const std::optional<analysis::TrackAnalysis>& current,
                                     const std::optional<cards::ModelCard>& card) {
    std::vector<tagfile::FilePlan> plans;
    const tagfile::WriteOptions options;
    if (current) {
        const auto taxonomy = card ? taxonomyOf(*card) : std::nullopt;
        plans.push_back(tagfile::planWrite(tagfile::trackTagsFromAnalysis(*current, card ? card->sha256 : ""),
                                           taxonomy ? &*taxonomy : nullptr, options));
    } else {
        const QString path = QFileDialog::getOpenFileName(parent, tr("Analyses to write into files"), {},
                                                          tr("Tagscope analyses (*.json *.jsonl);;All files (*)"));
        if (path.isEmpty()) return;
        auto tracks = tagfile::loadTrackTagsJson(path.toStdString());
        if (!tracks) {
            QMessageBox::warning(parent, tr("Write tags to files"), qs(tracks.error().message));
            return;
        }
        std::map<std::string, std::optional<tags::Taxonomy>> taxonomies;
        const auto cards = cards::discoverModelCards(cards::defaultModelDirectories());
        for (const auto& t : *tracks) {
            if (!taxonomies.count(t.modelId)) {
                taxonomies[t.modelId] = std::nullopt;
                for (const auto& c : cards)
                    if (c.id == t.modelId) taxonomies[t.modelId] = taxonomyOf(c);
            }
            const auto& tax = taxonomies[t.modelId];
            plans.push_back(tagfile::planWrite(t, tax ? &*tax : nullptr, options));
        }
    }
    TagReviewDialog dialog(std::move(plans), parent);
    dialog.exec();
}

} // namespace tagscope::ui
