"""The workbook's cell formats: one definition each, named for what they mean to a user."""

from __future__ import annotations

# Colour legend shown on the Start here sheet: yellow cells are for typing, grey are worked out.
INPUT_FILL = "#FFF8D6"
CALC_FILL = "#EEF1F4"
HEAD_FILL = "#1F4E79"
BAND_FILL = "#DDE7F0"
PROBLEM_FILL = "#F8CBAD"
WARN_FILL = "#FFE699"
# Numbers as shown everywhere: means and changes to one decimal, d to two, p as "< 0.001" or "0.012".
P_FORMAT = '[<0.001]"< 0.001";0.000'


class Styles:
    def __init__(self, wb, font: str = "Calibri"):
        add = wb.add_format
        # The language's font (templates/languages.yaml); text_fit.py measures Calibri's widths.
        base = {"font_name": font, "font_size": 11, "valign": "top"}
        self.title = add({**base, "bold": True, "font_size": 16, "font_color": HEAD_FILL})
        self.subtitle = add({**base, "bold": True, "font_size": 12, "font_color": HEAD_FILL})
        self.course_line = add({**base, "font_size": 12, "font_color": "#404040"})
        self.text = add({**base, "text_wrap": True})
        self.plain = add(base)
        self.note = add({**base, "italic": True, "font_color": "#595959", "text_wrap": True})
        self.head = add({**base, "bold": True, "font_color": "white", "bg_color": HEAD_FILL, "border": 1,
                         "text_wrap": True, "valign": "vcenter"})
        self.band = add({**base, "bold": True, "bg_color": BAND_FILL, "border": 1, "text_wrap": True,
                         "align": "center", "valign": "vcenter"})
        self.wording = add({**base, "font_size": 9, "bg_color": BAND_FILL, "border": 1, "text_wrap": True,
                            "valign": "bottom"})
        self.ids = add({**base, "bold": True, "font_size": 8, "bg_color": BAND_FILL, "border": 1, "align": "center", "shrink": True})
        self.input = add({**base, "locked": False, "bg_color": INPUT_FILL, "border": 1, "border_color": "#BFBFBF"})
        self.input_text = add({**base, "locked": False, "bg_color": INPUT_FILL, "border": 1,
                               "border_color": "#BFBFBF", "num_format": "@"})
        self.input_date = add({**base, "locked": False, "bg_color": INPUT_FILL, "border": 1,
                               "border_color": "#BFBFBF", "num_format": "d mmm yyyy"})
        self.input_money = add({**base, "locked": False, "bg_color": INPUT_FILL, "border": 1,
                                "border_color": "#BFBFBF", "num_format": "£#,##0.00"})
        self.input_number = add({**base, "locked": False, "bg_color": INPUT_FILL, "border": 1,
                                 "border_color": "#BFBFBF", "num_format": "0.00"})
        self.calc = add({**base, "bg_color": CALC_FILL, "border": 1, "border_color": "#BFBFBF", "num_format": "0.0"})
        self.calc_int = add({**base, "bg_color": CALC_FILL, "border": 1, "border_color": "#BFBFBF", "num_format": "0"})
        self.calc2 = add({**base, "bg_color": CALC_FILL, "border": 1, "border_color": "#BFBFBF", "num_format": "0.00"})
        self.calc3 = add({**base, "bg_color": CALC_FILL, "border": 1, "border_color": "#BFBFBF", "num_format": "0.000"})
        # p-values: "< 0.001" rather than a misleading 0.000, else three decimals ("0.012").
        self.calc_p = add({**base, "bg_color": CALC_FILL, "border": 1, "border_color": "#BFBFBF",
                           "num_format": P_FORMAT})
        self.calc_money = add({**base, "bg_color": CALC_FILL, "border": 1, "border_color": "#BFBFBF",
                               "num_format": "£#,##0.00"})
        self.calc_range = add({**base, "bg_color": CALC_FILL, "border": 1, "border_color": "#BFBFBF", "align": "right"})
        self.calc_text = add({**base, "bg_color": CALC_FILL, "border": 1, "border_color": "#BFBFBF", "text_wrap": True})
        self.status = add({**base, "bg_color": CALC_FILL, "font_size": 9})
        self.helper = add({**base, "font_color": "#7F7F7F", "font_size": 9})
        self.problem = add({"bg_color": PROBLEM_FILL, "font_color": "#9C0006"})
        self.warn = add({"bg_color": WARN_FILL})
        self.legend_input = add({**base, "bg_color": INPUT_FILL, "border": 1})
        self.legend_calc = add({**base, "bg_color": CALC_FILL, "border": 1})
        self.legend_problem = add({**base, "bg_color": PROBLEM_FILL, "border": 1})
        self.example = add({**base, "bold": True, "font_color": "#C00000"})
        self.warning = add({**base, "bold": True, "font_color": "#C00000", "text_wrap": True})
        self.strong = add({**base, "bold": True, "text_wrap": True})
        self.centred = add({**base, "align": "center"})
        self.reading = add({**base, "italic": True, "text_wrap": True, "font_color": "#1F3864"})
        self.alert = add({**base, "font_color": "#C00000", "text_wrap": True})
        self.date = add({**base, "bg_color": CALC_FILL, "border": 1, "border_color": "#BFBFBF",
                         "num_format": "d mmm yyyy", "align": "left"})
