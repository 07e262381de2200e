/**
 * Helpers shared by the addons' tours.
 */

// Ask the Python side (ScreenshotTourMixin) to save a screenshot of the screen,
// and leave the browser time to take it.
export function screenshot(name) {
    return {
        trigger: "body",
        content: `Screenshot ${name}`,
        run: async () => {
            console.log(`an_screenshot:${name}`);
            await new Promise((resolve) => setTimeout(resolve, 700));
        },
    };
}

// Choose a value in a selection field (Odoo 19 renders them as a select menu).
export function selectField(name, label) {
    return [
        {
            trigger: `div[name=${name}] .o_select_menu_toggler`,
            content: `Open ${name}`,
            run: "click",
        },
        {
            trigger: `.o_select_menu_item:contains(${label})`,
            content: `Choose ${label}`,
            run: "click",
        },
    ];
}
