// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/tag_panel.h"

#include <algorithm>
#include <numeric>
#include <set>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSlider>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "core/tags/tag_vocabulary.h"

#include "ui/probability_delegate.h"

namespace tagscope::ui {

namespace {

constexpr int kTagRole = Qt::UserRole; // output index of a fine tag; absent on group rows

} // namespace

TagPanel::TagPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Tag"), tr("Probability")});
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setItemDelegateForColumn(1, new ProbabilityDelegate(m_tree));
    // NOTE: the name column takes what is left and elides; the probability column keeps a fixed
    // width, so it can never be pushed out of a narrow panel (full names are in the tooltips).
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::Fixed);
    m_tree->header()->resizeSection(1, 92);
    m_tree->setTextElideMode(Qt::ElideMiddle);
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    layout->addWidget(m_tree, 1);

    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Threshold"), this));
    m_threshold = new QSlider(Qt::Horizontal, this);
    m_threshold->setRange(0, 100);
    m_threshold->setValue(5);
    row->addWidget(m_threshold, 1);
    m_thresholdLabel = new QLabel(this);
    m_thresholdLabel->setMinimumWidth(36);
    row->addWidget(m_thresholdLabel);
    layout->addLayout(row);
    m_grouped = new QCheckBox(tr("Group by coarse tag"), this);
    m_grouped->setChecked(true);
    layout->addWidget(m_grouped);

    connect(m_threshold, &QSlider::valueChanged, this, &TagPanel::applyThreshold);
    connect(m_grouped, &QCheckBox::toggled, this, &TagPanel::rebuild);
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, &TagPanel::emitSelection);
    applyThreshold();
}

void TagPanel::setAnalysis(const analysis::TrackAnalysis& analysis) {
    m_names = tags::displayTagNames(analysis.tagNames, analysis.vocabularyOfTag);
    m_scores = analysis.trackScores;
    m_hierarchy = analysis.hierarchy;
    m_learnedGroupTag.assign(analysis.tagNames.size(), false);
    for (size_t i = 0; i < analysis.vocabularyOfTag.size() && i < m_learnedGroupTag.size(); ++i)
        m_learnedGroupTag[i] = analysis.vocabularyOfTag[i] == tags::kLearnedGroupsVocabulary;
    m_provisional = false;
    rebuild();
}

void TagPanel::setProvisional(const std::vector<std::string>& names, const std::vector<float>& scores) {
    m_names = names;
    m_scores = scores;
    m_hierarchy.clear();
    m_learnedGroupTag.clear();
    m_provisional = true;
    rebuild();
}

void TagPanel::clear() {
    m_names.clear();
    m_scores.clear();
    m_hierarchy.clear();
    m_learnedGroupTag.clear();
    rebuild();
}

void TagPanel::rebuild() {
    const auto previous = selectedTags();
    m_rebuilding = true;
    m_tree->clear();
    const size_t n = std::min(m_names.size(), m_scores.size());
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return m_scores[a] > m_scores[b]; });
    auto makeTag = [&](size_t tag, QTreeWidgetItem* parent) {
        auto* item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(m_tree);
        item->setText(0, QString::fromStdString(m_names[tag]));
        item->setToolTip(0, QStringLiteral("%1 — %2").arg(item->text(0)).arg(double(m_scores[tag]), 0, 'f', 3));
        item->setData(0, kTagRole, qulonglong(tag));
        item->setData(1, ProbabilityDelegate::kProbabilityRole, double(m_scores[tag]));
        return item;
    };
    if (m_grouped->isChecked() && !m_hierarchy.empty() && !m_provisional) {
        std::set<size_t> grouped;
        for (const auto& group : m_hierarchy) {
            auto* parent = new QTreeWidgetItem(m_tree);
            // A learned group (coarse head): "keys: piano 0.70, synth 0.20", the fine tags its
            // attention chose on this track.
            QStringList related;
            for (const auto& [tag, weight] : group.relation)
                if (tag < m_names.size()) related << QStringLiteral("%1 %2").arg(QString::fromStdString(m_names[tag])).arg(double(weight), 0, 'f', 2);
            parent->setText(0, related.isEmpty() ? QString::fromStdString(group.group)
                                                 : QStringLiteral("%1: %2").arg(QString::fromStdString(group.group), related.join(QStringLiteral(", "))));
            parent->setToolTip(0, group.learned
                                      ? tr("%1 — %2, the model's own output for the group (learned with the fine tags)%3")
                                            .arg(QString::fromStdString(group.group))
                                            .arg(double(group.score), 0, 'f', 3)
                                            .arg(related.isEmpty() ? QString() : tr("; it attended to ") + related.join(QStringLiteral(", ")))
                                      : tr("%1 — %2, the highest of its tags (%3)")
                                            .arg(QString::fromStdString(group.group))
                                            .arg(double(group.score), 0, 'f', 3)
                                            .arg(QString::fromStdString(group.evidenceTag)));
            parent->setData(1, ProbabilityDelegate::kProbabilityRole, double(group.score));
            parent->setFlags(parent->flags() & ~Qt::ItemIsSelectable);
            QFont bold = parent->font(0);
            bold.setBold(true);
            parent->setFont(0, bold);
            for (size_t tag : order)
                if (std::find(group.members.begin(), group.members.end(), tag) != group.members.end()) {
                    makeTag(tag, parent);
                    grouped.insert(tag);
                }
        }
        auto* other = new QTreeWidgetItem(m_tree);
        other->setText(0, tr("other"));
        other->setFlags(other->flags() & ~Qt::ItemIsSelectable);
        for (size_t tag : order)
            if (!grouped.count(tag) && !(tag < m_learnedGroupTag.size() && m_learnedGroupTag[tag])) makeTag(tag, other);
        if (other->childCount() == 0) delete other;
        m_tree->expandAll();
    } else {
        for (size_t tag : order) makeTag(tag, nullptr);
    }
    applyThreshold();
    m_rebuilding = false;
    for (size_t tag : previous)
        for (QTreeWidgetItemIterator it(m_tree); *it; ++it)
            if ((*it)->data(0, kTagRole).isValid() && (*it)->data(0, kTagRole).toULongLong() == tag)
                (*it)->setSelected(true);
    emitSelection();
}

void TagPanel::applyThreshold() {
    const double t = threshold();
    m_thresholdLabel->setText(QString::number(t, 'f', 2));
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        QTreeWidgetItem* item = *it;
        if (!item->data(0, kTagRole).isValid()) continue;
        item->setHidden(item->data(1, ProbabilityDelegate::kProbabilityRole).toDouble() < t);
    }
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem* top = m_tree->topLevelItem(i);
        if (top->data(0, kTagRole).isValid()) continue;
        bool any = false;
        for (int c = 0; c < top->childCount(); ++c) any = any || !top->child(c)->isHidden();
        top->setHidden(!any);
    }
}

double TagPanel::threshold() const { return m_threshold->value() / 100.0; }

void TagPanel::setThreshold(double threshold) { m_threshold->setValue(int(std::lround(threshold * 100.0))); }

bool TagPanel::selectTag(size_t tag) {
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        const QVariant v = (*it)->data(0, kTagRole);
        if (v.isValid() && v.toULongLong() == tag) {
            (*it)->setHidden(false);
            m_tree->setCurrentItem(*it, 0, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            m_tree->scrollToItem(*it);
            return true;
        }
    }
    return false;
}

std::vector<size_t> TagPanel::selectedTags() const {
    std::vector<size_t> tags;
    const QTreeWidgetItem* current = m_tree->currentItem();
    if (current && current->isSelected() && current->data(0, kTagRole).isValid())
        tags.push_back(size_t(current->data(0, kTagRole).toULongLong()));
    for (const QTreeWidgetItem* item : m_tree->selectedItems()) {
        if (!item->data(0, kTagRole).isValid()) continue;
        const size_t tag = size_t(item->data(0, kTagRole).toULongLong());
        if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
    }
    return tags;
}

void TagPanel::emitSelection() {
    if (m_rebuilding || m_provisional) return;
    Q_EMIT selectionChanged(selectedTags());
}

} // namespace tagscope::ui
