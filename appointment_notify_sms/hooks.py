from .models.res_company import WEBHOOK_URL_PARAM


def set_webhook_url(env):
    """Fix Twilio's webhook URL at the base URL of now, unless already set.

    From then on Odoo rewriting ``web.base.url`` (an administrator logging in
    from another address) no longer changes where Twilio calls us, nor the URL
    its signatures are checked against. Settings shows and changes it.
    """
    ICP = env["ir.config_parameter"].sudo()
    base = ICP.get_param("web.base.url")
    if base and not ICP.get_param(WEBHOOK_URL_PARAM):
        ICP.set_param(WEBHOOK_URL_PARAM, base.rstrip("/"))


def post_init_hook(env):
    set_webhook_url(env)
